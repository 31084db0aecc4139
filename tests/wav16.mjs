// wav16.mjs - the samples of a 16-bit PCM mono WAV file as floats (x / 32768, as
// libsndfile reads them), for tests/check-wasm.mjs and tests/bench-wasm.mjs.
import { readFileSync } from 'node:fs';

export function readWav16(path) {
	const b = readFileSync(path);
	let p = 12;
	while (b.toString('latin1', p, p + 4) !== 'data')
		p += 8 + b.readUInt32LE(p + 4);
	const n = b.readUInt32LE(p + 4) / 2, x = new Float32Array(n);
	for (let i = 0; i < n; i++)
		x[i] = b.readInt16LE(p + 8 + 2 * i) / 32768;
	return x;
}
