// gtcrn-worklet.js - an AudioWorkletProcessor that denoises its input live with
// GTCRN (registered as "gtcrn-denoiser"). Load it with
//   await ctx.audioWorklet.addModule(new URL('gtcrn-worklet.js', base));
//   const node = new AudioWorkletNode(ctx, 'gtcrn-denoiser', {
//       numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
//       processorOptions: { wasmModule: Gtcrn.wasmModule, model: modelBytes,
//                           mix: 1, attenLimitDb: -1 } });
// wasmModule is the compiled WebAssembly.Module of gtcrn.wasm (a worklet has no
// fetch: the page compiles it and passes it on); model is the .onnx as an
// ArrayBuffer or Uint8Array. The input's channels are averaged; the enhanced
// signal goes to every output channel, delayed by the stream's latency (reported
// in the "ready" message).
//
// Messages to the processor (node.port.postMessage):
//   {bypass: true|false}   the input goes out untouched (the stream keeps running
//                          on it, so switching back has no start-up transient)
//   {mix: x} {attenLimitDb: db}
//   {capture: true|false}  post copies of the input and output blocks
// Messages from it (node.port.onmessage):
//   {type: 'ready', latency, sampleRate}
//   {type: 'stats', frameTimeUs, frames, blocks}   about twice a second (frameTimeUs
//                          from the scope's clock: in Chromium only Date.now(), 1 ms steps)
//   {type: 'capture', input: Float32Array, output: Float32Array}   when capturing
//   {type: 'error', message}
import { Gtcrn } from './gtcrn.js';

const CAPTURE_BLOCK = 8192;          // samples per capture message

class GtcrnDenoiser extends AudioWorkletProcessor {
	constructor(options) {
		super();
		const o = options.processorOptions || {};
		this.bypass = false;
		this.blocks = 0;
		this.capture = null;
		this.mono = new Float32Array(128);
		this.out = new Float32Array(128);
		try {
			const lib = Gtcrn.initSync(o.wasmModule);
			this.model = lib.loadModel(o.model);
			this.stream = this.model.createStream({ sampleRate: sampleRate,
				mix: o.mix ?? 1, attenLimitDb: o.attenLimitDb ?? -1 });
			this.port.postMessage({ type: 'ready', latency: this.stream.latency,
				sampleRate: sampleRate });
		} catch (e) {
			this.stream = null;
			this.port.postMessage({ type: 'error', message: String(e.message || e) });
		}
		this.port.onmessage = (ev) => this.command(ev.data);
	}

	command(m) {
		if (!this.stream)
			return;
		try {
			if ('bypass' in m)
				this.bypass = !!m.bypass;
			if ('mix' in m)
				this.stream.setMix(m.mix);
			if ('attenLimitDb' in m)
				this.stream.setAttenLimit(m.attenLimitDb);
			if ('capture' in m)
				this.capture = m.capture ? { input: new Float32Array(CAPTURE_BLOCK),
					output: new Float32Array(CAPTURE_BLOCK), n: 0 } : null;
		} catch (e) {
			this.port.postMessage({ type: 'error', message: String(e.message || e) });
		}
	}

	// the input's channels averaged into this.mono (n samples); silence if none
	downmix(input, n) {
		const mono = this.mono;
		mono.fill(0, 0, n);
		if (!input || input.length === 0)
			return;
		for (const ch of input)
			for (let i = 0; i < n; i++)
				mono[i] += ch[i];
		if (input.length > 1)
			for (let i = 0; i < n; i++)
				mono[i] /= input.length;
	}

	record(inp, out, n) {
		const c = this.capture;
		for (let i = 0; i < n; i++) {
			c.input[c.n] = inp[i];
			c.output[c.n] = out[i];
			if (++c.n === CAPTURE_BLOCK) {
				this.port.postMessage({ type: 'capture', input: c.input, output: c.output },
					[c.input.buffer, c.output.buffer]);
				c.input = new Float32Array(CAPTURE_BLOCK);
				c.output = new Float32Array(CAPTURE_BLOCK);
				c.n = 0;
			}
		}
	}

	process(inputs, outputs) {
		const output = outputs[0];
		if (!this.stream || output.length === 0)
			return true;
		const n = output[0].length;
		if (this.mono.length < n) {
			this.mono = new Float32Array(n);
			this.out = new Float32Array(n);
		}
		this.downmix(inputs[0], n);
		const mono = this.mono.subarray(0, n);
		let out = this.out.subarray(0, n);
		try {
			this.stream.process(mono, out);
		} catch (e) {
			this.port.postMessage({ type: 'error', message: String(e.message || e) });
			this.stream = null;
			return true;
		}
		if (this.bypass)
			out = mono;
		for (const ch of output)
			ch.set(out);
		if (this.capture)
			this.record(mono, out, n);
		if (++this.blocks % Math.max(1, Math.round(sampleRate / 256)) === 0)
			this.port.postMessage({ type: 'stats', frameTimeUs: this.stream.frameTimeUs,
				frames: this.stream.frames, blocks: this.blocks });
		return true;
	}
}

registerProcessor('gtcrn-denoiser', GtcrnDenoiser);
