import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { coalesceWrites } from '../../src/amqp/coalesce-writes.ts';

/** A real stream that records how its writes reach the "socket": one entry per system call it would make. */
function recordingStream() {
  const calls: number[] = []; // chunks per call
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      calls.push(1);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.length);
      callback();
    },
  });
  return { stream, calls };
}

const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

describe('coalesced socket writes', () => {
  it('when frames are written in one tick, then they leave in one call, and the next tick starts a new one', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    for (let frame = 0; frame < 5; frame += 1) stream.write(Buffer.from(`frame ${frame}`));
    assert.deepEqual(calls, [], 'nothing leaves before the tick ends');
    await nextTick();
    await nextTick();
    stream.write(Buffer.from('later'));
    stream.write(Buffer.from('later too'));
    await nextTick();
    await nextTick();
    assert.deepEqual(calls, [5, 2]);
  });

  it('when coalescing is asked twice for one socket, then writes still leave once per tick', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    coalesceWrites(stream);
    stream.write(Buffer.from('a'));
    stream.write(Buffer.from('b'));
    await nextTick();
    await nextTick();
    assert.deepEqual(calls, [2]);
    assert.equal(stream.writableCorked, 0, 'a doubled wrapper would leave the stream corked');
  });

  it('when a write fills the buffer, then it still reports back-pressure', () => {
    const stream = new Writable({ highWaterMark: 8, write: (_chunk, _encoding, callback) => callback(), writev: (_chunks, callback) => callback() });
    coalesceWrites(stream);
    assert.equal(stream.write(Buffer.alloc(4)), true);
    assert.equal(stream.write(Buffer.alloc(16)), false);
  });
});
