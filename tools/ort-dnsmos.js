#!/usr/bin/env node
// ort-dnsmos.js - DNSMOS P.835 scores of a 16 kHz mono WAV through ONNX Runtime
// (onnxruntime-node, one intra-op and one inter-op thread, one window per run),
// by the DNS Challenge's procedure (dnsmos_local.py, as enhance/dnsmos.c does
// it): the clip doubled until 144160 samples long, int(floor(len / 16000) -
// 9.01) + 1 hops of 16000 samples, the slice [int(i * 16000), int((i + 9.01) *
// 16000)) skipped when short, the P.835 polynomials, the means. The benchmark
// side of `make bench-dnsmos`; not used by `make check`.
//
//   NODE_PATH=/path/to/node_modules node tools/ort-dnsmos.js MODEL.onnx FILE.wav
//
// Prints the scores, then the seconds spent in session.run and in total
// (from the start of the script: module load, session creation, reading).
'use strict';

const t0 = process.hrtime.bigint();
const fs = require('fs');

const RATE = 16000, SECONDS = 9.01, WINDOW = 144160;
const POLY = [   // SIG, BAK, OVRL: highest power first (numpy's poly1d)
	[-0.08397278, 1.22083953, 0.0052439],
	[-0.13166888, 1.60915514, -0.39604546],
	[-0.06766283, 1.11546468, 0.04602535],
];

function die(msg) {
	process.stderr.write(`ort-dnsmos: ${msg}\n`);
	process.exit(2);
}

// The samples of a mono 16 kHz WAV (PCM 16-bit or IEEE float 32-bit) as floats.
function readWav(path) {
	const b = fs.readFileSync(path);
	if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' ||
	    b.toString('ascii', 8, 12) !== 'WAVE')
		die(`${path}: not a RIFF WAVE file`);
	let fmt = null, data = null;
	for (let p = 12; p + 8 <= b.length;) {
		const id = b.toString('ascii', p, p + 4), size = b.readUInt32LE(p + 4);
		const body = b.subarray(p + 8, Math.min(b.length, p + 8 + size));
		if (id === 'fmt ')
			fmt = body;
		else if (id === 'data')
			data = body;
		p += 8 + size + (size & 1);
	}
	if (!fmt || !data)
		die(`${path}: no fmt or data chunk`);
	let tag = fmt.readUInt16LE(0);
	const channels = fmt.readUInt16LE(2), rate = fmt.readUInt32LE(4), bits = fmt.readUInt16LE(14);
	if (tag === 0xfffe && fmt.length >= 26)
		tag = fmt.readUInt16LE(24);           // WAVE_FORMAT_EXTENSIBLE: the subformat
	if (channels !== 1 || rate !== RATE)
		die(`${path}: ${channels} channels at ${rate} Hz; needs mono 16000 Hz`);
	if (tag === 1 && bits === 16) {
		const x = new Float32Array(data.length >> 1);
		for (let i = 0; i < x.length; i++)
			x[i] = data.readInt16LE(2 * i) / 32768;
		return x;
	}
	if (tag === 3 && bits === 32) {
		const x = new Float32Array(data.length >> 2);
		for (let i = 0; i < x.length; i++)
			x[i] = data.readFloatLE(4 * i);
		return x;
	}
	die(`${path}: format ${tag} with ${bits} bits; needs 16-bit PCM or 32-bit float`);
}

async function main() {
	const [model, wav] = process.argv.slice(2);
	if (!model || !wav)
		die('usage: node tools/ort-dnsmos.js MODEL.onnx FILE.wav (16 kHz mono)');
	const ort = require('onnxruntime-node');
	const sess = await ort.InferenceSession.create(model, {
		intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
	});
	let audio = readWav(wav);
	if (audio.length === 0)
		die(`${wav}: no samples`);
	while (audio.length < WINDOW) {         // np.append(audio, audio)
		const d = new Float32Array(2 * audio.length);
		d.set(audio, 0);
		d.set(audio, audio.length);
		audio = d;
	}
	const hops = Math.trunc(Math.floor(audio.length / RATE) - SECONDS) + 1;
	const sum = [0, 0, 0, 0, 0, 0];
	let windows = 0, runNs = 0n;
	for (let idx = 0; idx < hops; idx++) {
		const start = idx * RATE;
		const end = Math.min(audio.length, Math.trunc((idx + SECONDS) * RATE));
		if (end - start < WINDOW)
			continue;                        // as the reference: a short slice is skipped
		const input = new ort.Tensor('float32', audio.slice(start, start + WINDOW), [1, WINDOW]);
		const r0 = process.hrtime.bigint();
		const out = await sess.run({ [sess.inputNames[0]]: input });
		runNs += process.hrtime.bigint() - r0;
		const raw = out[sess.outputNames[0]].data;
		for (let k = 0; k < 3; k++) {
			const p = POLY[k];
			sum[k] += (p[0] * raw[k] + p[1]) * raw[k] + p[2];
			sum[3 + k] += raw[k];
		}
		windows++;
	}
	if (windows === 0)
		die(`${wav}: no window`);
	const m = sum.map((s) => (s / windows).toFixed(6));
	const total = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`${wav}: SIG ${m[0]} BAK ${m[1]} OVRL ${m[2]} raw ${m[3]} ${m[4]} ${m[5]}, ` +
	            `${windows} windows`);
	console.log(`ort-dnsmos: runs ${(Number(runNs) / 1e9).toFixed(3)} s, total ` +
	            `${total.toFixed(3)} s (onnxruntime-node ${ort.env.versions ?
	            ort.env.versions.common : ''}, 1 thread)`);
}

main().catch((e) => die(e && e.stack ? e.stack : String(e)));
