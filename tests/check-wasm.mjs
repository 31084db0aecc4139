// check-wasm.mjs PKG MODELS_DIR TESTDATA_DIR GTCRN_RUN - `make check-wasm`'s JS half: the
// package's gtcrn.js + gtcrn.wasm in Node. Chunk invariance (gtcrn_simple and gtcrn_stream:
// process() output bit-identical for several block sizes and rates), the API (errors with
// the C message, use after free, flush, reset, mix, the frame timer) and Model.enhance()
// against the native gtcrn-run's output of mix.wav (within 1e-4). Exits 1 on a failure.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readWav16 } from './wav16.mjs';

const [pkg, modelsDir, dataDir, gtcrnRun] = process.argv.slice(2);
if (!gtcrnRun) {
	console.error('usage: node check-wasm.mjs PKG MODELS_DIR TESTDATA_DIR GTCRN_RUN');
	process.exit(2);
}
const { Gtcrn } = await import(pathToFileURL(resolve(pkg, 'gtcrn.js')));

let failed = 0, passed = 0;
function check(ok, what) {
	if (ok)
		passed++;
	else
		failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
}
function throws(fn, re, what) {
	try {
		fn();
	} catch (e) {
		check(re.test(e.message), `${what}: threw "${e.message}"`);
		return;
	}
	check(false, `${what}: did not throw`);
}

// x through a new stream in blocks of the given sizes (cycled), then the flush
function streamed(model, opts, x, sizes) {
	const st = model.createStream(opts), out = new Float32Array(x.length + st.latency);
	for (let i = 0, k = 0; i < x.length; k++) {
		const n = Math.min(sizes[k % sizes.length], x.length - i);
		out.set(st.process(x.subarray(i, i + n)), i);
		i += n;
	}
	out.set(st.flush(), x.length);
	st.free();
	return out;
}

function firstDiff(a, b) {
	if (a.length !== b.length)
		return `lengths ${a.length} and ${b.length}`;
	for (let i = 0; i < a.length; i++)
		if (!Object.is(a[i], b[i]))
			return `sample ${i}: ${a[i]} and ${b[i]}`;
	return null;
}

const lib = await Gtcrn.init();
check(/^\d+\.\d+\.\d+/.test(lib.version), `version ${lib.version}`);
check(Gtcrn.wasmModule instanceof WebAssembly.Module, 'Gtcrn.wasmModule after init');
const mix = readWav16(join(dataDir, 'mix.wav'));
const bytes = name => readFileSync(join(modelsDir, `${name}.onnx`));

// --- chunk invariance: every block pattern gives the whole-signal run's samples
for (const name of ['gtcrn_simple', 'gtcrn_stream']) {
	const model = lib.loadModel(bytes(name));
	for (const sampleRate of [16000, 48000, 44100, 8000]) {
		const opts = { sampleRate };
		const x = mix.subarray(0, sampleRate === 16000 ? mix.length : 3 * sampleRate);
		const whole = streamed(model, opts, x, [x.length]);
		for (const sizes of [[1], [7], [128], [480, 1, 4096], [1000, 333, 17]]) {
			if (sizes[0] === 1 && sampleRate !== 16000)
				continue;       // sample by sample: once is enough (slow in JS)
			const d = firstDiff(streamed(model, opts, x, sizes), whole);
			check(!d, `${name} ${sampleRate} Hz blocks ${sizes}: bit-identical` +
				(d ? ` (first difference: ${d})` : ''));
		}
	}
	model.free();
}

// --- the API
const model = lib.loadModel(bytes('gtcrn_simple'));
const info = model.info;
check(info.streaming && info.sampleRate === 16000 && info.nFft === 512 && info.hop === 256,
	`model.info ${JSON.stringify(info)}`);
throws(() => lib.loadModel(new Uint8Array([1, 2, 3, 4, 5])), /\S{4}/,
	'loadModel(garbage): the C message');
throws(() => lib.loadModel(new Uint8Array(0)), /\S{4}/, 'loadModel(empty): the C message');
throws(() => model.createStream({ sampleRate: -5 }), /rate|-5/i,
	'createStream(sampleRate -5): the C message');
{
	const st = model.createStream({ sampleRate: 48000, mix: 1, attenLimitDb: -1,
		resampleQuality: 8 });
	const x = mix.subarray(0, 48000);
	check(st.latency > 0, `latency ${st.latency} at 48 kHz`);
	const a = st.process(x), ta = st.flush();
	check(ta.length === st.latency, `flush: ${ta.length} samples`);
	check(st.frames > 0, `frames ${st.frames}`);
	const us = st.frameTimeUs;
	check(us > 0 && us < 1e6, `frameTimeUs ${us.toFixed(1)}`);
	check(st.frameTimeUs === 0, 'frameTimeUs: 0 when no frame ran since the last read');
	const out = new Float32Array(x.length);
	const b = st.process(x, out), tb = st.flush();
	check(b === out && !firstDiff(a, b) && !firstDiff(ta, tb),
		'after flush the stream restarts (same output, into the given array)');
	st.process(x.subarray(0, 1000));
	st.reset();
	check(!firstDiff(st.process(x), a), 'reset: the stream restarts');
	throws(() => st.process(x, new Float32Array(3)), /output/, 'process: output of another length');
	throws(() => st.setMix(2), /mix|invalid argument/, 'setMix(2): the C status');
	st.setMix(0);
	st.setAttenLimit(6);
	st.free();
	st.free();
	throws(() => st.process(x), /after free/, 'Stream.process after free');
	throws(() => st.latency, /after free/, 'Stream.latency after free');
}
{
	// mix 0 at the model's rate: the input, delayed by the latency
	const st = model.createStream({ mix: 0 }), x = mix.subarray(0, 16000);
	const y = st.process(x), L = st.latency;
	let worst = 0;
	for (let i = L; i < x.length; i++)
		worst = Math.max(worst, Math.abs(y[i] - x[i - L]));
	check(worst < 1e-6, `mix 0: the input delayed by ${L} samples (max diff ${worst})`);
	st.free();
}

// --- enhance() against the native library (gtcrn-run on the same file, float output)
{
	const tmp = mkdtempSync(join(tmpdir(), 'check-wasm-'));
	const ref = join(tmp, 'ref.f32');
	execFileSync(gtcrnRun, ['-q', '--out-type', 'raw', '--out-encoding', 'float',
		'--out-bits', '32', join(modelsDir, 'gtcrn_simple.onnx'), join(dataDir, 'mix.wav'), ref]);
	const rb = readFileSync(ref);
	rmSync(tmp, { recursive: true });
	const native = new Float32Array(rb.buffer, rb.byteOffset, rb.byteLength / 4);
	const y = model.enhance(mix, { sampleRate: 16000 });
	let worst = 0;
	for (let i = 0; i < y.length; i++)
		worst = Math.max(worst, Math.abs(y[i] - native[i]));
	check(y.length === mix.length && native.length === mix.length && worst <= 1e-4,
		`enhance(mix.wav) against native gtcrn-run: ${y.length} samples, max diff ${worst}`);
	const y48 = model.enhance(mix.subarray(0, 48000), { sampleRate: 48000, mix: 0.5 });
	check(y48.length === 48000, 'enhance at 48 kHz, mix 0.5: same length');
}
model.free();
throws(() => model.enhance(mix), /after free/, 'Model.enhance after free');
throws(() => model.createStream(), /after free/, 'Model.createStream after free');

// --- initSync from the compiled module (as in an AudioWorkletGlobalScope)
{
	const lib2 = Gtcrn.initSync(Gtcrn.wasmModule);
	const m2 = lib2.loadModel(bytes('gtcrn_simple')), st = m2.createStream();
	const y = st.process(mix.subarray(0, 4096));
	check(y.length === 4096 && lib2.version === lib.version, 'initSync: a second instance runs');
	st.free();
	m2.free();
}
// --- README.md's Node example, as written, from the folder holding the package
{
	const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').split('\n');
	const at = readme.findIndex((l) => l.includes('make check-wasm runs this block'));
	const block = [];
	for (let i = at + 2; at >= 0 && i < readme.length && readme[i].startsWith('    '); i++)
		block.push(readme[i].slice(4));
	const dir = resolve(pkg, '..'), prog = join(dir, 'check-wasm-readme.mjs');
	writeFileSync(prog, block.join('\n') + '\n');
	let out = '';
	try {
		out = execFileSync('node', [prog, join(modelsDir, 'gtcrn_simple.onnx')],
			{ cwd: dir, encoding: 'utf8' }).trim();
	} catch (e) {
		out = String(e.stderr || e.message);
	}
	rmSync(prog, { force: true });
	const m = lib.loadModel(bytes('gtcrn_simple')), st = m.createStream({ sampleRate: 48000 });
	const want = `${lib.version} ${m.info.sampleRate} ${st.latency} 480 44100`;
	st.free();
	m.free();
	check(block.length > 0 && out === want,
		`README's Node example (${block.length} lines) prints "${out}" (want "${want}")`);
}
console.log(`check-wasm: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
