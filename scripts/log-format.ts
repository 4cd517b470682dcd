/** One combined, readable log: "12:00:01 order     INFO  message  {fields}". */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'name', 'msg']);

export function formatLine(name: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${new Date().toISOString().slice(11, 19)} ${name.padEnd(12)} ${line}`;
  }
  const time = new Date(Number(record.time ?? Date.now())).toISOString().slice(11, 19);
  const level = LEVELS[Number(record.level)] ?? 'INFO ';
  const fields = Object.fromEntries(Object.entries(record).filter(([key]) => !HIDDEN.has(key)));
  const extra = Object.keys(fields).length > 0 ? `  ${JSON.stringify(fields)}` : '';
  return `${time} ${name.padEnd(12)} ${level} ${typeof record.msg === 'string' ? record.msg : ''}${extra}`;
}
