// gtcrn.js - GTCRN speech enhancement in WebAssembly: a small ES module over gtcrn.wasm
// (libgtcrn + libgrt built with emscripten as a standalone module, `make wasm`). No
// dependencies, no emscripten glue: the module's few WASI imports are answered here, so
// it runs alike in Node, in a page and in an AudioWorkletGlobalScope (no fetch,
// TextDecoder or timers there: give initSync() a compiled WebAssembly.Module).
// API: wasm/README.md.

const ERR_LEN = 512;          // bytes of the C error messages' buffer
const TIMES_MAX = 256;        // frames of the per-frame time ring (gtcrn_record_frame_times)

// UTF-8 bytes of memory at ptr up to the NUL, as a string (no TextDecoder in a worklet)
function cString(mem, ptr) {
	const u8 = new Uint8Array(mem.buffer);
	let s = '';
	for (let i = ptr; u8[i] !== 0; ) {
		let c = u8[i++];
		if (c >= 0xc0) {
			const n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
			c &= 0x3f >> n;
			for (let k = 0; k < n; k++)
				c = (c << 6) | (u8[i++] & 0x3f);
		}
		s += String.fromCodePoint(c);
	}
	return s;
}

function nowNs() {
	const p = globalThis.performance;
	return BigInt(Math.round((p ? p.now() : Date.now()) * 1e6));
}

// The imports gtcrn.wasm asks for: the clock for the per-frame times, exit as an
// exception; every other WASI call (files, environment) answers ENOSYS, since the
// library reads no file and prints nothing.
function makeImports(module, state) {
	const known = {
		clock_time_get(id, precision, out) {
			new DataView(state.memory.buffer).setBigUint64(out, nowNs(), true);
			return 0;
		},
		proc_exit(code) { throw new Error(`gtcrn.wasm: exit(${code})`); },
		emscripten_notify_memory_growth() {},
	};
	const imports = {};
	for (const imp of WebAssembly.Module.imports(module)) {
		if (imp.kind !== 'function')
			throw new Error(`gtcrn.wasm: unexpected import ${imp.module}.${imp.name}`);
		(imports[imp.module] ??= {})[imp.name] = known[imp.name] ?? (() => 52);
	}
	return imports;
}

class Library {
	constructor(instance) {
		this.x = instance.exports;
		this.memory = this.x.memory;
		this.x._initialize?.();
		this.err = this.x.malloc(ERR_LEN + 16);     // message buffer, then an out pointer
		this.outp = this.err + ERR_LEN;
		this.version = cString(this.memory, this.x.gtcrn_version());
	}

	// a view of the whole memory, made again only when the memory has grown (which
	// detaches the old buffer)
	f32() {
		if (this.f32view?.buffer !== this.memory.buffer)
			this.f32view = new Float32Array(this.memory.buffer);
		return this.f32view;
	}
	u32() { return new Uint32Array(this.memory.buffer); }

	// throws the C message of a failed call (rc < 0) from the error buffer or msgPtr
	check(rc, msgPtr) {
		if (rc >= 0)
			return;
		let msg = cString(this.memory, msgPtr ?? this.err);
		if (!msg)
			msg = cString(this.memory, this.x.gtcrn_strerror(rc));
		throw new Error(msg);
	}

	// copies bytes (ArrayBuffer, a typed array or DataView) into a new malloc'd block
	copyIn(bytes) {
		const u8 = bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
			: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		const p = this.x.malloc(u8.length || 1);
		if (!p)
			throw new Error('gtcrn: out of wasm memory');
		new Uint8Array(this.memory.buffer, p, u8.length).set(u8);
		return p;
	}

	loadModel(bytes) {
		if (!bytes || bytes.byteLength === undefined)
			throw new TypeError('loadModel: an ArrayBuffer or Uint8Array of an .onnx file');
		const p = this.copyIn(bytes);
		new Uint8Array(this.memory.buffer, this.err, 1)[0] = 0;
		const rc = this.x.gtcrn_model_load_buffer(p, bytes.byteLength, this.outp, this.err,
			ERR_LEN);
		this.x.free(p);
		this.check(rc);
		return new Model(this, this.u32()[this.outp >> 2]);
	}
}

// an owner of a C object: throws once freed
class Handle {
	constructor(lib, ptr) { this.lib = lib; this.ptr = ptr; }
	get live() {
		if (!this.ptr)
			throw new Error(`gtcrn: ${this.constructor.name} used after free()`);
		return this.ptr;
	}
}

class Model extends Handle {
	constructor(lib, ptr) {
		super(lib, ptr);
		const p = lib.x.malloc(40);
		lib.check(lib.x.gtcrn_wasm_model_info(ptr, p));
		const v = new Int32Array(lib.memory.buffer, p, 10).slice();
		lib.x.free(p);
		this.info = {
			streaming: v[0] === 1, sampleRate: v[1], nFft: v[2], hop: v[3],
			windowLength: v[4], window: v[8] ? 'hann' : 'hann_sqrt', nBins: v[5],
			nCaches: v[6], latency: v[7],
		};
	}

	createStream(opts = {}) {
		const lib = this.lib;
		const rc = lib.x.gtcrn_wasm_state_create(this.live, opts.sampleRate ?? 0,
			opts.mix ?? 1, opts.attenLimitDb ?? -1, opts.resampleQuality ?? -1, lib.outp,
			lib.err, ERR_LEN);
		lib.check(rc);
		return new Stream(lib, lib.u32()[lib.outp >> 2]);
	}

	// the whole signal at once, aligned with the input (gtcrn_enhance)
	enhance(input, opts = {}) {
		const lib = this.lib, n = input.length;
		const p = lib.x.malloc(n * 8 || 8);
		if (!p)
			throw new Error('gtcrn: out of wasm memory');
		try {
			lib.f32().set(input, p >> 2);
			lib.check(lib.x.gtcrn_wasm_enhance(this.live, opts.sampleRate ?? 0, opts.mix ?? 1,
				opts.attenLimitDb ?? -1, opts.resampleQuality ?? -1, p, p + n * 4, n,
				lib.err, ERR_LEN));
			return lib.f32().slice((p >> 2) + n, (p >> 2) + 2 * n);
		} finally {
			lib.x.free(p);
		}
	}

	free() {
		if (this.ptr)
			this.lib.x.gtcrn_model_free(this.ptr);
		this.ptr = 0;
	}
}

class Stream extends Handle {
	constructor(lib, ptr) {
		super(lib, ptr);
		this.cap = 0;             // floats the block buffer holds
		this.buf = 0;             // block buffer in wasm memory: input, then output in place
		this.times = lib.x.malloc(TIMES_MAX * 4);
		this.seen = 0;            // frames whose times were read
		lib.x.gtcrn_record_frame_times(ptr, this.times, TIMES_MAX);
	}

	get latency() { return this.lib.x.gtcrn_latency(this.live); }
	get frames() { return this.lib.x.gtcrn_frames(this.live) >>> 0; }

	// mean run time (us) of the network frames since the last read; 0 when none ran
	get frameTimeUs() {
		const now = this.frames, n = Math.min(now - this.seen, TIMES_MAX);
		this.seen = now;
		if (n <= 0)
			return 0;
		const t = this.lib.u32();
		let sum = 0;
		for (let k = 1; k <= n; k++)
			sum += t[(this.times >> 2) + (now - k) % TIMES_MAX];
		return sum / n / 1000;
	}

	// the block buffer, grown (never shrunk) to n floats
	room(n) {
		if (n > this.cap) {
			const p = this.lib.x.malloc(n * 4);
			if (!p)
				throw new Error('gtcrn: out of wasm memory');
			this.lib.x.free(this.buf);
			this.buf = p;
			this.cap = n;
		}
		return this.buf;
	}

	errmsg(rc) {
		if (rc < 0)
			this.lib.check(rc, this.lib.x.gtcrn_state_errmsg(this.ptr));
	}

	process(input, output) {
		const st = this.live, n = input.length;
		if (output && output.length !== n)
			throw new RangeError(`process: output holds ${output.length}, input ${n}`);
		const p = this.room(n);
		const heap = this.lib.f32();
		heap.set(input, p >> 2);
		this.errmsg(this.lib.x.gtcrn_process(st, p, p, n));   // allocates nothing
		const out = output ?? new Float32Array(n);
		out.set(heap.subarray(p >> 2, (p >> 2) + n));
		return out;
	}

	flush() {
		const st = this.live, n = this.latency;
		const p = this.room(n);
		this.errmsg(this.lib.x.gtcrn_flush(st, p));
		return this.lib.f32().slice(p >> 2, (p >> 2) + n);
	}

	reset() { this.errmsg(this.lib.x.gtcrn_reset(this.live)); }
	setMix(x) { this.errmsg(this.lib.x.gtcrn_set_mix(this.live, x)); }
	setAttenLimit(db) { this.errmsg(this.lib.x.gtcrn_set_atten_limit(this.live, db)); }

	free() {
		if (!this.ptr)
			return;
		this.lib.x.gtcrn_state_free(this.ptr);
		this.lib.x.free(this.buf);
		this.lib.x.free(this.times);
		this.ptr = this.buf = this.cap = 0;
	}
}

// the bytes behind a URL: fetch, or the file system in Node (its fetch reads no file:)
async function fetchBytes(url) {
	const u = url instanceof URL ? url : new URL(url, globalThis.location?.href ??
		new URL('.', import.meta.url));
	if (u.protocol === 'file:' && globalThis.process?.versions?.node) {
		const fs = await import('node:fs/promises');
		return fs.readFile(u);
	}
	const r = await fetch(u);
	if (!r.ok)
		throw new Error(`gtcrn: ${u}: HTTP ${r.status}`);
	return r.arrayBuffer();
}

function library(module, instance, state) {
	state.memory = instance.exports.memory;
	Gtcrn.wasmModule = module;
	return new Library(instance);
}

export class Gtcrn {
	// wasm: a URL (string or URL; default gtcrn.wasm beside this file), the bytes
	// (ArrayBuffer, Uint8Array) or a compiled WebAssembly.Module
	static async init(wasm = new URL('./gtcrn.wasm', import.meta.url)) {
		let module = wasm;
		if (!(wasm instanceof WebAssembly.Module)) {
			const bytes = typeof wasm === 'string' || wasm instanceof URL
				? await fetchBytes(wasm) : wasm;
			module = await WebAssembly.compile(bytes);
		}
		const state = {};
		return library(module, await WebAssembly.instantiate(module, makeImports(module, state)),
			state);
	}

	// synchronous, from a compiled module (an AudioWorkletProcessor's options)
	static initSync(module) {
		if (!(module instanceof WebAssembly.Module))
			throw new TypeError('initSync: a compiled WebAssembly.Module');
		const state = {};
		return library(module, new WebAssembly.Instance(module, makeImports(module, state)),
			state);
	}
}

Gtcrn.wasmModule = null;
