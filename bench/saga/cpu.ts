/**
 * CPU time per process group, read from /proc (utime + stime of every process, in clock ticks):
 * each platform process by what it runs, PostgreSQL's postmaster and backends, the RabbitMQ node
 * (beam.smp) and Redis. Two snapshots around a load step give the CPU that step cost, per group.
 * Linux only; a process that started or ended between the snapshots counts from zero or is lost
 * (the bench keeps the platform up across a step).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux/x86_64

function groupOf(command: string): string | null {
  // From source (services/<name>/src/main.ts, through tsx) or from the build (dist/<name>/main.mjs).
  const service = /services\/([a-z]+)\/src\/main\.ts/.exec(command) ?? /dist\/([a-z-]+)\/main\.mjs/.exec(command);
  if (service) return service[1]!;
  if (command.includes('relay-daemon')) return 'relay';
  if (command.includes('smtp-sink')) return 'smtp';
  if (command.startsWith('postgres') || command.includes('/bin/postgres')) return 'postgresql';
  if (command.includes('beam.smp') || command.includes('rabbitmq')) return 'rabbitmq';
  if (command.startsWith('redis-server')) return 'redis';
  return null;
}

/** Milliseconds of CPU used so far by each group's live processes. */
export function cpuByGroup(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const group = groupOf(command);
      if (!group) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
      totals.set(group, (totals.get(group) ?? 0) + (ticks * 1000) / TICKS_PER_SECOND);
    } catch {
      // the process ended while being read
    }
  }
  return totals;
}

/** CPU milliseconds per group between two snapshots. */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([group, ms]) => [group, ms - (before.get(group) ?? 0)]));
}
