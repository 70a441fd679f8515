import test from 'node:test';
import assert from 'node:assert/strict';
import { CharRNNError } from '../errors';
import { readSafetensors, writeSafetensors, type StoredTensor } from './safetensors';

const f32 = (...v: number[]): StoredTensor => {
  const a = Float32Array.from(v);
  return { dtype: 'F32', shape: [v.length], bytes: new Uint8Array(a.buffer) };
};

/** A file from a header object and `data` bytes, as a hostile or damaged writer could make it. */
function handMade(header: unknown, data: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([n, json, data]);
}

test('safetensors: written tensors and metadata read back; the data starts 8-byte aligned', () => {
  const file = writeSafetensors(
    [
      ['a', f32(1, 2, 3)],
      ['b', { dtype: 'F16', shape: [1, 2], bytes: new Uint8Array([0, 60, 0, 188]) }],
    ],
    { vocab: '["x"]' },
  );
  assert.equal(Number(file.readBigUInt64LE(0)) % 8, 0);
  const back = readSafetensors(file, 'm.safetensors');
  assert.deepEqual(back.metadata, { vocab: '["x"]' });
  assert.deepEqual([...back.tensors.keys()], ['a', 'b']);
  assert.deepEqual(Array.from(new Float32Array(Uint8Array.from(back.tensors.get('a')!.bytes).buffer)), [1, 2, 3]);
  assert.deepEqual(back.tensors.get('b')!.shape, [1, 2]);
  assert.deepEqual(Array.from(back.tensors.get('b')!.bytes), [0, 60, 0, 188]);
});

test('safetensors: a damaged or hostile file is one clear error, and nothing is allocated past its size', () => {
  const good = writeSafetensors([['w', f32(1, 2)]], {});
  const data = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a truncated length', good.subarray(0, 5), /5 bytes, shorter than the 8-byte header length/],
    ['a truncated header', good.subarray(0, 20), /the header is said to be \d+ bytes, but only 12 follow/],
    ['a truncated tensor', good.subarray(0, good.length - 1), /w is said to lie at bytes 0\.\.8, but the data holds 7/],
    [
      'offsets past the end',
      handMade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4096] } }, data),
      /w is said to lie at bytes 0\.\.4096, but the data holds 8 bytes/,
    ],
    [
      'a huge declared shape',
      handMade({ w: { dtype: 'F32', shape: [1e9, 1e9, 1e9], data_offsets: [0, 8] } }, data),
      /w is declared F32 \[1000000000,1000000000,1000000000\], which is not the 8 bytes of its range/,
    ],
    [
      'a wrong dtype',
      handMade({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data),
      /w has dtype "I64"; charrnn reads F32 and F16/,
    ],
    [
      'overlapping tensors',
      handMade(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        data,
      ),
      /b overlaps the tensor before it/,
    ],
    [
      'bytes no tensor owns',
      handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data),
      /4 bytes after the last tensor belong to none/,
    ],
    [
      'a header that is not JSON',
      Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{')]),
      /not JSON/,
    ],
    [
      'a non-string metadata value',
      handMade({ __metadata__: { n: 1 }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data),
      /__metadata__\.n is not a string/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(
      () => readSafetensors(bytes, 'm.safetensors'),
      (e: Error) =>
        e instanceof CharRNNError &&
        /^m\.safetensors is not a usable safetensors file: /.test(e.message) &&
        message.test(e.message),
      what,
    );
  }
});
