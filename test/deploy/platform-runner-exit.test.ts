import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * A runner that starts one platform process (the SMTP sink: no database, no broker), prints its
 * pid, then ends without stopAll(): by an uncaught error (END=throw) or by waiting to be signalled.
 */
const RUNNER = `
import { Platform } from './scripts/platform.ts';
const platform = new Platform({ basePort: Number(process.env.BASE_PORT), databasePrefix: 'unused', amqpUrl: 'amqp://127.0.0.1/unused' });
platform.start('smtp');
for (const deadline = Date.now() + 30_000; ; ) {
  if (!platform.isRunning('smtp') || Date.now() > deadline) throw new Error('the SMTP sink did not start');
  const ready = await fetch(platform.url('smtp') + '/messages').then((answer) => answer.ok, () => false);
  if (ready) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(String(platform.pidOf('smtp')));
if (process.env.END === 'throw') throw new Error('the runner crashes here, as a benchmark did');
setInterval(() => undefined, 60_000);
`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A process that ended but was not yet reaped still answers signal 0: it is gone all the same.
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false; // gone between the two looks
  }
}

/** Runs the runner to its end; returns how it ended and the pid of the sink it started. */
async function runAndEnd(end: 'throw' | 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null; sinkPid: number }> {
  const basePort = 31_000 + Math.floor(Math.random() * 2_000);
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER], { cwd: ROOT, env: { ...process.env, BASE_PORT: String(basePort), END: end }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => runner.once('exit', (code, signal) => resolve([code, signal])));
  let output = '';
  let errors = '';
  runner.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  runner.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (end === 'SIGTERM' && output.includes('\n')) runner.kill('SIGTERM');
  });
  const [code, signal] = await ended;
  const sinkPid = Number(output.trim());
  assert.ok(Number.isInteger(sinkPid) && sinkPid > 0, `the runner printed its child's pid, got ${JSON.stringify(output)}; it said: ${errors}`);
  return { code, signal, sinkPid };
}

/** Waits for the sink to go (it closes its servers on SIGTERM), up to 15 s; kills a survivor. */
async function outlives(pid: number): Promise<boolean> {
  for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const alive = isAlive(pid);
  if (alive) process.kill(pid, 'SIGKILL');
  return alive;
}

describe('a platform runner that dies', () => {
  it('when the runner exits on an uncaught error without stopping its platform, then the processes it started stop too (their ports are free for the next run)', async () => {
    const { code, sinkPid } = await runAndEnd('throw');
    assert.notEqual(code, 0, 'the runner crashed');
    assert.equal(await outlives(sinkPid), false, 'the SMTP sink outlived the runner that started it');
  });

  it('when the runner is ended by SIGTERM, then the processes it started stop too, and the runner still ends as SIGTERM ends it', async () => {
    const { signal, sinkPid } = await runAndEnd('SIGTERM');
    assert.equal(signal, 'SIGTERM');
    assert.equal(await outlives(sinkPid), false, 'the SMTP sink outlived the runner that started it');
  });
});
