#!/usr/bin/env node
// ort-compare.js - ONNX Runtime against grt-bench on the same model, the same
// frames and the same machine, in one invocation (issue 4). A developer tool:
// not used by the build or by `make check`. ORT (onnxruntime-node from npm)
// runs with one intra-op and one inter-op thread; each `await session.run()`
// is timed with process.hrtime.bigint(), after the same warm-up as grt-bench,
// with the caches fed back. Streaming models: per frame; offline: whole file.
//
//   NODE_PATH=/tmp/ort/node_modules node tools/ort-compare.js [options] MODEL.onnx
//
// See tools/README.md for the setup and the options (--help).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const cp = require('child_process');

const HELP = `usage: node tools/ort-compare.js [options] MODEL.onnx
  --ort-dir DIR   folder holding node_modules/onnxruntime-node (default: NODE_PATH)
  --bench PATH    grt-bench program (default: tools/grt-bench, else
                  /tmp/build-bench/tools/grt-bench)
  --npy FILE      input spectrum, float32 (1, F, T, 2)
                  (default: ../shared/testdata/mix_stft.npy next to the source tree)
  --wav FILE      audio for grt-bench (default: mix.wav next to the .npy)
  --frames N      timed frames, streaming (default 2000)
  --warmup N      untimed frames before them (default 100)
  --runs N        timed whole-file runs, offline (default 10, after one untimed)
  --rounds N      alternate grt-bench and ORT N times (default 1); the summary
                  gives the median of the per-round ratios
  --shape NAME=AxB...  a model that is not a GTCRN export (Silero VAD, DNSMOS):
                  run input NAME with this shape (both runtimes; repeatable)
  --value NAME=V  the same: every element of input NAME is V (e.g. sr=16000);
                  other float inputs get grt-bench's pseudo-random values, the
                  rest 0. With either, each timed run is one session run.
Prints both figures and the ratio ORT / grt, then one JSON line.`;

function die(msg) {
	process.stderr.write(`ort-compare: ${msg}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const o = {
		ortDir: null, bench: null, npy: null, wav: null, model: null,
		frames: 2000, warmup: 100, runs: 10, rounds: 1, shapes: [], values: [],
	};
	const ints = { '--frames': ['frames', 1], '--warmup': ['warmup', 0], '--runs': ['runs', 1],
		'--rounds': ['rounds', 1] };
	const strs = { '--ort-dir': 'ortDir', '--bench': 'bench', '--npy': 'npy', '--wav': 'wav' };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '-h' || a === '--help') {
			process.stdout.write(HELP + '\n');
			process.exit(0);
		} else if (a in ints && i + 1 < argv.length) {
			const v = Number(argv[++i]);
			if (!Number.isInteger(v) || v < ints[a][1])
				die(`${a} needs an integer >= ${ints[a][1]}, got '${argv[i]}'`);
			o[ints[a][0]] = v;
		} else if (a in strs && i + 1 < argv.length) {
			o[strs[a]] = argv[++i];
		} else if ((a === '--shape' || a === '--value') && i + 1 < argv.length &&
			argv[i + 1].includes('=')) {
			o[a === '--shape' ? 'shapes' : 'values'].push(argv[++i]);
		} else if (!a.startsWith('-') && !o.model) {
			o.model = a;
		} else {
			die(`bad argument '${a}' (--help for usage)`);
		}
	}
	if (!o.model)
		die('no model given (--help for usage)');
	const shared = path.resolve(__dirname, '..', '..', 'shared', 'testdata');
	o.npy = o.npy || path.join(shared, 'mix_stft.npy');
	o.wav = o.wav || path.join(path.dirname(o.npy), 'mix.wav');
	if (!o.bench) {
		const cands = [path.resolve('tools', 'grt-bench'), '/tmp/build-bench/tools/grt-bench'];
		o.bench = cands.find((p) => fs.existsSync(p)) || cands[0];
	}
	return o;
}

function loadOrt(dir) {
	const tries = dir ? [path.join(dir, 'node_modules', 'onnxruntime-node'),
		path.join(dir, 'onnxruntime-node')] : ['onnxruntime-node'];
	for (const t of tries) {
		try {
			const ort = require(t);
			let version = '?';
			try {
				version = require(t + '/package.json').version;
			} catch (e) { /* version unknown: keep '?' */ }
			return { ort, version };
		} catch (e) {
			if (e.code !== 'MODULE_NOT_FOUND')
				throw e;
		}
	}
	die(`cannot load onnxruntime-node (tried ${tries.join(', ')}); see tools/README.md: ` +
		'mkdir -p /tmp/ort && cd /tmp/ort && npm install --ignore-scripts onnxruntime-node@1.30.0');
	return null;
}

// A little-endian float32 C-order .npy file -> { dims, data }.
function readNpy(file) {
	const buf = fs.readFileSync(file);
	if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY')
		throw new Error(`${file}: not a .npy file`);
	const major = buf[6];
	const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
	const start = major === 1 ? 10 : 12;
	const hdr = buf.toString('latin1', start, start + hlen);
	if (!/'descr':\s*'<f4'/.test(hdr) || /'fortran_order':\s*True/.test(hdr))
		throw new Error(`${file}: not little-endian float32 in C order: ${hdr.trim()}`);
	const m = /'shape':\s*\(([^)]*)\)/.exec(hdr);
	if (!m)
		throw new Error(`${file}: no shape in header`);
	const dims = m[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
	const n = dims.reduce((a, b) => a * b, 1);
	const off = start + hlen;
	if (buf.length < off + 4 * n)
		throw new Error(`${file}: ${buf.length - off} data bytes, expected ${4 * n}`);
	const data = new Float32Array(n);          // a copy: the buffer may be unaligned
	for (let i = 0; i < n; i++)
		data[i] = buf.readFloatLE(off + 4 * i);
	return { dims, data };
}

function summarize(ns) {
	const t = Float64Array.from(ns).sort();
	const n = t.length;
	const us = (x) => x / 1e3;
	const p99 = Math.max(1, Math.ceil(0.99 * n));
	return {
		min_us: us(t[0]),
		median_us: us(n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2),
		mean_us: us(t.reduce((a, b) => a + b, 0) / n),
		p99_us: us(t[p99 - 1]),
		max_us: us(t[n - 1]),
	};
}

function median(xs) {
	const t = [...xs].sort((a, b) => a - b);
	const n = t.length;
	return n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

// grt-bench --json on the same model; with specFile, it also writes the
// spectrum it computed, to check it against the .npy.
function runGrt(o, specFile) {
	const args = ['--json', '--wav', o.wav, '--frames', String(o.frames), '--warmup',
		String(o.warmup), '--runs', String(o.runs)];
	if (specFile)
		args.push('--save-spec', specFile);
	for (const s of o.shapes)
		args.push('--shape', s);
	for (const v of o.values)
		args.push('--value', v);
	args.push(o.model);
	const r = cp.spawnSync(o.bench, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
	if (r.error)
		die(`cannot run ${o.bench}: ${r.error.message} (build it with make, or pass --bench)`);
	if (r.status !== 0)
		die(`${o.bench} failed (status ${r.status}): ${r.stderr.trim()}`);
	const lines = r.stdout.trim().split('\n');
	try {
		return JSON.parse(lines[lines.length - 1]);
	} catch (e) {
		die(`${o.bench}: last line is not JSON: ${lines[lines.length - 1]}`);
	}
	return null;
}

// The model's inputs: the spectrum (1, F, 1 or T, 2) and the caches, each
// paired with the output <name>_out or the only output of its shape.
function describe(sess, F) {
	const ins = sess.inputMetadata;
	const outs = sess.outputMetadata;
	const spec = ins.find((m) => m.shape.length === 4 && m.shape[0] === 1 && m.shape[1] === F &&
		m.shape[3] === 2 && (m.shape[2] === 1 || typeof m.shape[2] !== 'number'));
	if (!spec)
		die(`no spectrum input (1, ${F}, T, 2) among ${ins.map((m) => m.name).join(', ')}`);
	const offline = typeof spec.shape[2] !== 'number';
	const same = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);
	const used = new Set();
	const caches = [];
	for (const m of ins) {
		if (m === spec)
			continue;
		let out = outs.find((x) => x.name === `${m.name}_out`);
		if (!out) {
			const c = outs.filter((x) => !used.has(x.name) && same(x.shape, m.shape));
			out = c.length === 1 ? c[0] : null;
		}
		if (!out || m.shape.some((d) => typeof d !== 'number'))
			die(`input '${m.name}' is neither the spectrum nor a cache with a matching output`);
		used.add(out.name);
		caches.push({ input: m.name, output: out.name, shape: m.shape });
	}
	return { spec: spec.name, offline, caches };
}

async function runOrtStreaming(ort, sess, io, npy, o) {
	const [, F, T] = npy.dims;
	const x = npy.data;
	const frames = [];
	for (let t = 0; t < T; t++) {
		const f = new Float32Array(F * 2);                   // (1, F, T, 2) -> (1, F, 1, 2)
		for (let k = 0; k < F; k++) {
			f[2 * k] = x[(k * T + t) * 2];
			f[2 * k + 1] = x[(k * T + t) * 2 + 1];
		}
		frames.push(new ort.Tensor('float32', f, [1, F, 1, 2]));
	}
	const feeds = {};
	for (const c of io.caches)
		feeds[c.input] = new ort.Tensor('float32',
			new Float32Array(c.shape.reduce((a, b) => a * b, 1)), c.shape);
	const ns = [];
	for (let i = 0; i < o.warmup + o.frames; i++) {
		feeds[io.spec] = frames[i % T];
		const t0 = process.hrtime.bigint();
		const out = await sess.run(feeds);
		const t1 = process.hrtime.bigint();
		for (const c of io.caches)
			feeds[c.input] = out[c.output];
		if (i >= o.warmup)
			ns.push(Number(t1 - t0));
	}
	return summarize(ns);
}

async function runOrtOffline(ort, sess, io, npy, o) {
	const feeds = { [io.spec]: new ort.Tensor('float32', npy.data, npy.dims) };
	const ns = [];
	await sess.run(feeds);                                 // warm-up
	for (let r = 0; r < o.runs; r++) {
		const t0 = process.hrtime.bigint();
		await sess.run(feeds);
		ns.push(Number(process.hrtime.bigint() - t0));
	}
	return summarize(ns);
}

// A model that is not a GTCRN export: the inputs as grt-bench makes them
// (--shape, --value, else its pseudo-random floats in input order, 0 for the
// rest), one session run per timed run.
function genericFeeds(ort, sess, o) {
	const setting = (list, name) => {
		const hit = list.filter((s) => s.slice(0, s.indexOf('=')) === name).pop();
		return hit === undefined ? null : hit.slice(hit.indexOf('=') + 1);
	};
	const feeds = {};
	let r = 12345;
	for (const m of sess.inputMetadata) {
		const sh = setting(o.shapes, m.name);
		const dims = sh !== null ? sh.split('x').map(Number) : m.shape;
		if (dims.some((d) => typeof d !== 'number' || !Number.isInteger(d)))
			die(`input '${m.name}' has dynamic dims: give --shape ${m.name}=AxB...`);
		const n = dims.reduce((a, b) => a * b, 1);
		const v = setting(o.values, m.name);
		const type = m.type;
		let data;
		if (type === 'float32') {
			data = new Float32Array(n);
			for (let k = 0; k < n; k++) {
				if (v !== null) {
					data[k] = Number(v);
				} else {
					r = (Math.imul(r, 1664525) + 1013904223) >>> 0;
					data[k] = (r >>> 8) / 8388608.0 - 1.0;
				}
			}
		} else if (type === 'int64') {
			data = new BigInt64Array(n).fill(BigInt(v === null ? 0 : Number(v)));
		} else if (type === 'int32') {
			data = new Int32Array(n).fill(v === null ? 0 : Number(v));
		} else {
			die(`input '${m.name}': type ${type} is not handled`);
		}
		feeds[m.name] = new ort.Tensor(type, data, dims);
	}
	return feeds;
}

async function runOrtGeneric(sess, feeds, o) {
	const ns = [];
	for (let i = 0; i < o.warmup + o.frames; i++) {
		const t0 = process.hrtime.bigint();
		await sess.run(feeds);
		if (i >= o.warmup)
			ns.push(Number(process.hrtime.bigint() - t0));
	}
	return summarize(ns);
}

async function mainGeneric(o, ort, version) {
	const sess = await ort.InferenceSession.create(o.model, {
		intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
		executionProviders: ['cpu'],
	});
	const feeds = genericFeeds(ort, sess, o);
	process.stdout.write(`model        ${path.basename(o.model)}: ${o.warmup} warm-up then ` +
		`${o.frames} timed runs, inputs ${Object.keys(feeds).map((k) =>
			`${k} [${feeds[k].dims}]`).join(', ')}\n`);
	process.stdout.write(`threads      ORT ${version}: intra-op 1, inter-op 1, ` +
		`graph optimisation 'all'; grt: 1\n`);
	const rounds = [];
	for (let r = 0; r < o.rounds; r++) {
		const grt = runGrt(o, null);
		const ortS = await runOrtGeneric(sess, feeds, o);
		rounds.push({ grt, ort: ortS, ratio: ortS.median_us / grt.median_us });
		process.stdout.write(`round ${r + 1}: ORT ${ortS.median_us.toFixed(2)} us, grt ` +
			`${grt.median_us.toFixed(2)} us, ratio ${(ortS.median_us / grt.median_us).toFixed(2)}\n`);
	}
	const ratio = median(rounds.map((x) => x.ratio));
	const last = rounds[rounds.length - 1];
	process.stdout.write(`\nratio ORT / grt: median ${ratio.toFixed(2)}x over ${o.rounds} ` +
		`round(s); grt ${last.grt.allocs} heap allocations during its timed runs\n`);
	process.stdout.write(JSON.stringify({ tool: 'ort-compare', model: o.model, kind: 'generic',
		rounds: o.rounds, ort: { version, ...last.ort }, grt: last.grt, ratio_median: ratio,
		ratios_median: rounds.map((x) => x.ratio) }) + '\n');
}

function fmt(x, d) {
	return x.toFixed(d).padStart(10);
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const { ort, version } = loadOrt(o.ortDir);
	if (o.shapes.length || o.values.length)
		return mainGeneric(o, ort, version);
	const npy = readNpy(o.npy);
	if (npy.dims.length !== 4 || npy.dims[0] !== 1 || npy.dims[3] !== 2)
		die(`${o.npy}: shape (${npy.dims}) is not (1, F, T, 2)`);
	const [, F, T] = npy.dims;

	// the frames: grt-bench's own STFT of the wav against the .npy
	const specFile = path.join(os.tmpdir(), `ort-compare-${process.pid}.npy`);
	const grt0 = runGrt(o, specFile);
	let specDiff;
	try {
		const g = readNpy(specFile);
		if (g.dims.join() !== npy.dims.join())
			die(`grt-bench's spectrum is (${g.dims}), the .npy is (${npy.dims}): different input`);
		specDiff = 0;
		for (let i = 0; i < g.data.length; i++)
			specDiff = Math.max(specDiff, Math.abs(g.data[i] - npy.data[i]));
	} finally {
		fs.rmSync(specFile, { force: true });
	}
	if (!(specDiff < 1e-3))
		die(`grt-bench's frames differ from ${o.npy} by up to ${specDiff}: not the same input`);

	const sess = await ort.InferenceSession.create(o.model, {
		intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
		executionProviders: ['cpu'],
	});
	const io = describe(sess, F);
	const base = path.basename(o.model);
	const kind = io.offline ? 'offline' : 'streaming';
	if (kind !== grt0.kind)
		die(`ORT sees a ${kind} model, grt-bench a ${grt0.kind} one`);
	if (io.offline) {
		process.stdout.write(`model        ${base} (offline): the whole file, T = ${T} frames ` +
			`in one run; 1 warm-up then ${o.runs} timed runs\n`);
	} else {
		process.stdout.write(`model        ${base} (streaming, ${io.caches.length} caches): ` +
			`${o.warmup} warm-up then ${o.frames} timed frames, frame t % ${T}\n`);
	}
	process.stdout.write(`frames       grt-bench's STFT of ${path.basename(o.wav)} = ` +
		`${path.basename(o.npy)} to ${specDiff.toExponential(1)} (max abs)\n`);
	process.stdout.write(`threads      ORT ${version}: intra-op 1, inter-op 1, ` +
		`graph optimisation 'all'; grt: 1\n`);
	const rounds = [];
	for (let r = 0; r < o.rounds; r++) {
		const grt = r === 0 ? grt0 : runGrt(o, null);
		const ortS = io.offline ? await runOrtOffline(ort, sess, io, npy, o) :
			await runOrtStreaming(ort, sess, io, npy, o);
		const g = io.offline ? { median: grt.median_ms * 1e3, p99: NaN } :
			{ median: grt.median_us, p99: grt.p99_us };
		rounds.push({ grt, ort: ortS, ratio_median: ortS.median_us / g.median,
			ratio_p99: ortS.p99_us / g.p99 });
		if (o.rounds > 1)
			process.stdout.write(`round ${r + 1}: ORT ${ortS.median_us.toFixed(2)} us, grt ` +
				`${g.median.toFixed(2)} us, ratio ${(ortS.median_us / g.median).toFixed(2)}\n`);
	}
	const last = rounds[rounds.length - 1];
	const ratioMedian = median(rounds.map((x) => x.ratio_median));
	const ratioP99 = median(rounds.map((x) => x.ratio_p99));
	const ortRss = process.resourceUsage().maxRSS;

	// the last round's figures, in us (streaming: per frame) or ms (offline: per file)
	const cols = io.offline ? ['median', 'min', 'max'] : ['median', 'p99', 'mean', 'max', 'min'];
	const sc = io.offline ? 1e-3 : 1;
	const d = io.offline ? 3 : 2;
	const grtRow = io.offline ? { median: last.grt.median_ms, min: last.grt.min_ms, max: last.grt.max_ms } :
		{ median: last.grt.median_us, p99: last.grt.p99_us, mean: last.grt.mean_us,
			max: last.grt.max_us, min: last.grt.min_us };
	const ortRow = {};
	for (const c of cols)
		ortRow[c] = last.ort[`${c}_us`] * sc;
	process.stdout.write('\n' + (io.offline ? 'ms per file' : 'us per frame').padEnd(16) +
		cols.map((c) => c.padStart(10)).join('') + '\n');
	process.stdout.write('ONNX Runtime'.padEnd(16) + cols.map((c) => fmt(ortRow[c], d)).join('') + '\n');
	process.stdout.write('grt'.padEnd(16) + cols.map((c) => fmt(grtRow[c], d)).join('') + '\n');
	process.stdout.write(`\nratio ORT / grt: median ${ratioMedian.toFixed(2)}x` +
		(io.offline ? '' : `, p99 ${ratioP99.toFixed(2)}x`) +
		(o.rounds > 1 ? ` (median over ${o.rounds} rounds)` : '') + '\n');
	process.stdout.write(`peak RSS     ORT: ${(ortRss / 1024).toFixed(1)} MiB (the whole node ` +
		`process); grt-bench: ${(last.grt.peak_rss_kib / 1024).toFixed(1)} MiB\n`);
	process.stdout.write(`grt          ${last.grt.allocs} heap allocations during its timed ` +
		`runs; ${last.grt.macs_per_run} MACs per run, ${last.grt.gmac_per_s.toFixed(2)} GMAC/s\n`);

	const summary = {
		tool: 'ort-compare', model: o.model, kind, npy: o.npy, spec_max_abs_diff: specDiff,
		rounds: o.rounds,
		ort: { version, intra_op_threads: 1, inter_op_threads: 1, peak_rss_kib: ortRss,
			...(io.offline ? { warmup: 1, runs: o.runs, median_ms: last.ort.median_us / 1e3,
				min_ms: last.ort.min_us / 1e3, max_ms: last.ort.max_us / 1e3 } :
				{ warmup: o.warmup, frames: o.frames, median_us: last.ort.median_us,
					p99_us: last.ort.p99_us, mean_us: last.ort.mean_us, max_us: last.ort.max_us,
					min_us: last.ort.min_us }) },
		grt: last.grt,
		ratio_median: ratioMedian,
		...(io.offline ? {} : { ratio_p99: ratioP99 }),
		ratios_median: rounds.map((x) => x.ratio_median),
	};
	process.stdout.write(JSON.stringify(summary) + '\n');
}

process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
main().catch((e) => {
	process.stderr.write(`ort-compare: ${e && e.stack ? e.stack : e}\n`);
	process.exit(1);
});
