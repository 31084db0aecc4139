// bench-wasm.mjs PKG MODELS_DIR TESTDATA_DIR GRT_BENCH [ROUNDS] - `make bench-wasm`:
// gtcrn_simple.onnx per frame in Node, this package's gtcrn.wasm against onnxruntime-web
// (wasm backend, 1 thread, SIMD; found through NODE_PATH) in alternating rounds, and the
// native build (grt-bench) once; then the download sizes (raw and gzip -9) of both.
// Ours: a stream at 16 kHz over mix.wav (looped), one hop per process() call, each
// process() call timed (everything a caller pays: STFT, network, iSTFT, the copies in
// and out, the JS wrapper; the next hop is copied out of mix.wav before the clock starts;
// the library's own frame timer, STFT + network, is printed beside it). ORT: one
// `await session.run()` per frame of mix_stft.npy (the same frames), caches fed back,
// timed with hrtime (as tools/ort-compare.js). Medians compared. Not part of make check.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readWav16 } from './wav16.mjs';

const [pkg, modelsDir, dataDir, grtBench, roundsArg] = process.argv.slice(2);
if (!grtBench) {
	console.error('usage: node bench-wasm.mjs PKG MODELS_DIR TESTDATA_DIR GRT_BENCH [ROUNDS]');
	process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 5), FRAMES = 2000, WARMUP = 100;
const model = join(modelsDir, 'gtcrn_simple.onnx');
const require = createRequire(join(process.cwd(), 'x.js'));
let ort, ortDir;
try {
	// (its "exports" hide package.json: the folder above dist/)
	ortDir = dirname(dirname(require.resolve('onnxruntime-web')));
	ort = require('onnxruntime-web');
} catch (e) {
	console.error(`bench-wasm: ${e.message}`);
	console.error('bench-wasm: onnxruntime-web not found: mkdir -p /work/ortweb && cd ' +
		'/work/ortweb && npm install --ignore-scripts onnxruntime-web, then ' +
		'NODE_PATH=/work/ortweb/node_modules make bench-wasm');
	process.exit(2);
}
const ortVersion = JSON.parse(readFileSync(join(ortDir, 'package.json'))).version;

function readNpy(file) {
	const buf = readFileSync(file), hlen = buf.readUInt16LE(8);
	const hdr = buf.toString('latin1', 10, 10 + hlen);
	const dims = /'shape':\s*\(([^)]*)\)/.exec(hdr)[1].split(',').map(s => s.trim())
		.filter(s => s).map(Number);
	const n = dims.reduce((a, b) => a * b, 1), data = new Float32Array(n);
	for (let i = 0; i < n; i++)
		data[i] = buf.readFloatLE(10 + hlen + 4 * i);
	return { dims, data };
}

const median = xs => {
	const t = [...xs].sort((a, b) => a - b), n = t.length;
	return n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
};
const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length;

// ours: FRAMES network frames (after WARMUP) of mix.wav looped, through a 16 kHz stream
const { Gtcrn } = await import(pathToFileURL(resolve(pkg, 'gtcrn.js')));
const lib = await Gtcrn.init();
const gm = lib.loadModel(readFileSync(model));
const mix = readWav16(join(dataDir, 'mix.wav'));
function runOurs() {
	const st = gm.createStream({ sampleRate: 16000 }), hop = gm.info.hop;
	const block = new Float32Array(hop), out = new Float32Array(hop);
	let pos = 0;
	const next = () => {        // the next hop of mix.wav (as ORT's frames, made untimed)
		for (let i = 0; i < hop; i++, pos = (pos + 1) % mix.length)
			block[i] = mix[pos];
	};
	while (st.frames < WARMUP) {
		next();
		st.process(block, out);
	}
	void st.frameTimeUs;
	const f0 = st.frames, us = [];
	while (st.frames < f0 + FRAMES) {
		next();
		const t0 = process.hrtime.bigint();
		st.process(block, out);    // one hop in: one frame out
		us.push(Number(process.hrtime.bigint() - t0) / 1e3);
	}
	const net = st.frameTimeUs;
	st.free();
	return { net, mean: mean(us), median: median(us) };
}

// ORT: the same model and frames, per session.run
ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
const sess = await ort.InferenceSession.create(readFileSync(model),
	{ executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const npy = readNpy(join(dataDir, 'mix_stft.npy'));
const [, F, T] = npy.dims;
const frames = [];
for (let t = 0; t < T; t++) {
	const f = new Float32Array(F * 2);
	for (let k = 0; k < F; k++) {
		f[2 * k] = npy.data[(k * T + t) * 2];
		f[2 * k + 1] = npy.data[(k * T + t) * 2 + 1];
	}
	frames.push(new ort.Tensor('float32', f, [1, F, 1, 2]));
}
const ins = sess.inputMetadata, outs = sess.outputNames;
const caches = ins.filter(m => m.name !== 'mix').map(m => ({ input: m.name,
	output: outs.find(o => o === `${m.name}_out`), shape: m.shape }));
async function runOrt() {
	const feeds = {};
	for (const c of caches)
		feeds[c.input] = new ort.Tensor('float32',
			new Float32Array(c.shape.reduce((a, b) => a * b, 1)), c.shape);
	const us = [];
	for (let i = 0; i < WARMUP + FRAMES; i++) {
		feeds.mix = frames[i % T];
		const t0 = process.hrtime.bigint();
		const out = await sess.run(feeds);
		const t1 = process.hrtime.bigint();
		for (const c of caches)
			feeds[c.input] = out[c.output];
		if (i >= WARMUP)
			us.push(Number(t1 - t0) / 1e3);
	}
	return { mean: mean(us), median: median(us) };
}

console.log(`bench-wasm: gtcrn_simple.onnx, ${FRAMES} frames per run after ${WARMUP}, ` +
	`${ROUNDS} rounds; node ${process.version}; onnxruntime-web ${ortVersion} (wasm, 1 thread)`);
const ratios = [], ours = [], theirs = [];
for (let r = 1; r <= ROUNDS; r++) {
	const a = runOurs(), b = await runOrt();
	ours.push(a.median);
	theirs.push(b.median);
	ratios.push(b.median / a.median);
	console.log(`round ${r}: gtcrn.wasm process() median ${a.median.toFixed(1)} mean ` +
		`${a.mean.toFixed(1)} us/frame (STFT + network ${a.net.toFixed(1)}), onnxruntime-web ` +
		`session.run() median ${b.median.toFixed(1)} mean ${b.mean.toFixed(1)}: ratio of ` +
		`medians ${(b.median / a.median).toFixed(2)}`);
}
const nat = JSON.parse(execFileSync(grtBench, ['--json', '--frames', String(FRAMES), '--warmup',
	String(WARMUP), '--wav', join(dataDir, 'mix.wav'), model], { encoding: 'utf8' })
	.trim().split('\n').pop());
const natUs = nat.median_us;
console.log(`native grt-bench: ${JSON.stringify(nat)}`);
console.log(`bench-wasm: median over rounds: gtcrn.wasm ${median(ours).toFixed(1)} us/frame, ` +
	`onnxruntime-web ${median(theirs).toFixed(1)}, ratio ${median(ratios).toFixed(2)} ` +
	`(target >= 10); native grt-bench median ${natUs} us/frame: wasm / native ` +
	`${(median(ours) / natUs).toFixed(2)}`);

const size = files => {
	const bufs = files.map(f => readFileSync(f));
	return { raw: bufs.reduce((a, b) => a + b.length, 0),
		gz: bufs.reduce((a, b) => a + gzipSync(b, { level: 9 }).length, 0) };
};
const s1 = size([join(pkg, 'gtcrn.wasm'), join(pkg, 'gtcrn.js')]);
const d = join(ortDir, 'dist');
const s2 = size(['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']
	.map(f => join(d, f)));
console.log(`sizes: gtcrn.wasm + gtcrn.js ${s1.raw} bytes (gzip ${s1.gz}; target <= 614400); ` +
	`onnxruntime-web ort.wasm.min.mjs + ort-wasm-simd-threaded.{mjs,wasm} ${s2.raw} ` +
	`(gzip ${s2.gz}): ${(s2.raw / s1.raw).toFixed(1)}x`);
