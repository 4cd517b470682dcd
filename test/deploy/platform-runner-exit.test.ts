import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A runner that starts one platform process (the SMTP sink: no database, no broker), then dies without stopAll(). */
const RUNNER = `
import { Platform } from './scripts/platform.ts';
const platform = new Platform({ basePort: Number(process.env.BASE_PORT), databasePrefix: 'unused', amqpUrl: 'amqp://127.0.0.1/unused' });
platform.start('smtp');
for (;;) {
  const ready = await fetch(platform.url('smtp') + '/messages').then((answer) => answer.ok, () => false);
  if (ready) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log(String(platform.pidOf('smtp')));
throw new Error('the runner crashes here, as a benchmark did');
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

describe('a platform runner that dies', () => {
  it('when the runner exits on an uncaught error without stopping its platform, then the processes it started stop too (their ports are free for the next run)', async () => {
    const basePort = 31_000 + Math.floor(Math.random() * 2_000);
    const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER], { cwd: ROOT, env: { ...process.env, BASE_PORT: String(basePort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    runner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => runner.once('exit', resolve));
    assert.notEqual(code, 0, 'the runner crashed');
    const pid = Number(output.trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `the runner printed its child's pid, got ${JSON.stringify(output)}`);
    // Waits for the child to go (SIGTERM: it closes its servers), or gives up after 15 s.
    for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const orphaned = isAlive(pid);
    if (orphaned) process.kill(pid, 'SIGKILL');
    assert.equal(orphaned, false, 'the SMTP sink outlived the runner that started it');
  });
});
