// demo.js - the demo page: enhance a chosen file (played and offered for download)
// and denoise the microphone live through gtcrn-worklet.js. window.gtcrnDemo
// exposes the state for tests (tests/check-browser.mjs drives this page).
import { Gtcrn } from '../gtcrn.js';

const $ = (id) => document.getElementById(id);
const demo = window.gtcrnDemo = {
	ready: false,        // a model is loaded
	error: null,         // the last error message
	file: null,          // {rate, channels, frames, ms, url} of the last enhanced file
	live: null,          // {ctx, node, latency, sampleRate, stats, captured}
};
let lib = null, model = null, modelBytes = null;

function fail(where, e) {
	demo.error = String(e && e.message || e);
	where.textContent = 'Error: ' + demo.error;
	where.classList.add('error');
}

function say(where, text) {
	where.textContent = text;
	where.classList.remove('error');
}

function opts() {
	const atten = Number($('atten').value);
	return { mix: Number($('mix').value), attenLimitDb: atten >= 60 ? -1 : atten };
}

async function useModel(bytes, name) {
	const m = lib.loadModel(bytes);
	if (model)
		model.free();
	model = m;
	modelBytes = new Uint8Array(bytes).slice();
	const i = model.info;
	say($('model-status'), `${name}: ${i.streaming ? 'streaming' : 'offline'} model, ` +
		`${i.sampleRate} Hz (gtcrn ${lib.version})`);
	demo.ready = true;
	$('live-start').disabled = false;
}

// --- WAV in and out; other formats through the browser's decoder ---

const SUBTYPE_FLOAT = 3, SUBTYPE_EXTENSIBLE = 0xfffe;

// {rate, channels: [Float32Array...]} of a RIFF WAVE file, or null if it is not
// one this reads (PCM 8/16/24/32-bit, float 32/64); integers scale as libsndfile's
// (by 2^(bits-1)), so the samples equal what gtcrn-run reads.
function parseWav(buf) {
	const v = new DataView(buf);
	const tag = (o) => String.fromCharCode(v.getUint8(o), v.getUint8(o + 1),
		v.getUint8(o + 2), v.getUint8(o + 3));
	if (buf.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE')
		return null;
	let fmt = null, data = null;
	for (let o = 12; o + 8 <= buf.byteLength;) {
		const id = tag(o), len = v.getUint32(o + 4, true);
		if (id === 'fmt ')
			fmt = o + 8;
		else if (id === 'data')
			data = { at: o + 8, len: Math.min(len, buf.byteLength - o - 8) };
		o += 8 + len + (len & 1);
	}
	if (fmt === null || data === null)
		return null;
	let format = v.getUint16(fmt, true);
	const nch = v.getUint16(fmt + 2, true), rate = v.getUint32(fmt + 4, true);
	const bits = v.getUint16(fmt + 14, true);
	if (format === SUBTYPE_EXTENSIBLE)
		format = v.getUint16(fmt + 24, true);
	const bytes = bits / 8, frames = Math.floor(data.len / (bytes * nch));
	if (nch < 1 || rate < 1 || ![8, 16, 24, 32, 64].includes(bits))
		return null;
	const read = format === SUBTYPE_FLOAT ? (bits === 32 ? (o) => v.getFloat32(o, true) :
			bits === 64 ? (o) => v.getFloat64(o, true) : null) :
		format !== 1 ? null :
		bits === 8 ? (o) => (v.getUint8(o) - 128) / 128 :
		bits === 16 ? (o) => v.getInt16(o, true) / 32768 :
		bits === 24 ? (o) => ((v.getUint8(o) | v.getUint8(o + 1) << 8 |
			v.getInt8(o + 2) << 16)) / 8388608 :
		(o) => v.getInt32(o, true) / 2147483648;
	if (!read)
		return null;
	const channels = [];
	for (let c = 0; c < nch; c++) {
		const x = new Float32Array(frames);
		for (let i = 0, o = data.at + c * bytes; i < frames; i++, o += bytes * nch)
			x[i] = read(o);
		channels.push(x);
	}
	return { rate, channels };
}

// a 32-bit float WAV of the channels (equal lengths), interleaved
function writeWav(rate, channels) {
	const nch = channels.length, frames = channels[0].length, len = frames * nch * 4;
	const v = new DataView(new ArrayBuffer(44 + len));
	const tag = (o, s) => { for (let i = 0; i < 4; i++) v.setUint8(o + i, s.charCodeAt(i)); };
	tag(0, 'RIFF'); v.setUint32(4, 36 + len, true); tag(8, 'WAVE');
	tag(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, SUBTYPE_FLOAT, true);
	v.setUint16(22, nch, true); v.setUint32(24, rate, true);
	v.setUint32(28, rate * nch * 4, true); v.setUint16(32, nch * 4, true);
	v.setUint16(34, 32, true);
	tag(36, 'data'); v.setUint32(40, len, true);
	for (let i = 0, o = 44; i < frames; i++)
		for (let c = 0; c < nch; c++, o += 4)
			v.setFloat32(o, channels[c][i], true);
	return new Blob([v.buffer], { type: 'audio/wav' });
}

async function decode(file) {
	const buf = await file.arrayBuffer();
	const wav = parseWav(buf);
	if (wav)
		return wav;
	const ctx = new OfflineAudioContext(1, 1, 48000);
	const ab = await ctx.decodeAudioData(buf);
	const channels = [];
	for (let c = 0; c < ab.numberOfChannels; c++)
		channels.push(ab.getChannelData(c).slice());
	return { rate: ab.sampleRate, channels };
}

async function enhanceFile(file) {
	const status = $('file-status');
	if (!model)
		return fail(status, 'load a model first');
	say(status, `Decoding ${file.name}…`);
	const { rate, channels } = await decode(file);
	say(status, `Enhancing ${file.name}…`);
	await new Promise((r) => setTimeout(r, 0));    // let the status show
	const t0 = performance.now();
	const out = channels.map((x) => model.enhance(x, { sampleRate: rate, ...opts() }));
	const ms = performance.now() - t0;
	const secs = channels[0].length / rate;
	const blob = writeWav(rate, out);
	for (const id of ['play-in', 'play-out', 'download'])
		if ($(id).dataset.url)
			URL.revokeObjectURL($(id).dataset.url);
	const urlIn = URL.createObjectURL(file), urlOut = URL.createObjectURL(blob);
	$('play-in').src = $('play-in').dataset.url = urlIn;
	$('play-out').src = $('play-out').dataset.url = urlOut;
	$('download').href = $('download').dataset.url = urlOut;
	$('download').download = file.name.replace(/\.[^.]*$/, '') + '-enhanced.wav';
	$('download').hidden = false;
	say(status, `${file.name}: ${secs.toFixed(2)} s at ${rate} Hz, ${channels.length} ` +
		`channel(s), enhanced in ${ms.toFixed(0)} ms (${(secs * 1000 / ms).toFixed(0)}x real time)`);
	demo.file = { rate, channels: channels.length, frames: channels[0].length, ms, url: urlOut };
}

// --- live ---

// The time per 16 ms network frame of a stream at rate, resampling included,
// timed on this thread over a second of low noise in 128-sample blocks (the
// worklet's blocks): an AudioWorkletGlobalScope has no performance.now(), and
// its Date.now() is too coarse to time one frame.
function frameTimeUs(rate) {
	const st = model.createStream({ sampleRate: rate, ...opts() });
	const block = new Float32Array(128);
	for (let i = 0; i < block.length; i++)
		block[i] = (Math.random() - 0.5) * 0.01;
	for (let i = 0; i < 16; i++)                 // warm up
		st.process(block);
	const f0 = st.frames, t0 = performance.now();
	for (let i = 0; i < Math.ceil(rate / 128); i++)
		st.process(block);
	const us = (performance.now() - t0) * 1000 / Math.max(1, st.frames - f0);
	st.free();
	return us;
}

async function liveStart() {
	const status = $('live-status');
	$('live-start').disabled = true;
	try {
		const media = await navigator.mediaDevices.getUserMedia({ audio: {
			echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
		const ctx = new AudioContext();
		const us = frameTimeUs(ctx.sampleRate);
		$('frame-time').textContent = `${us.toFixed(0)} µs (${(us / 160).toFixed(1)}% of ` +
			`real time, at ${ctx.sampleRate} Hz)`;
		await ctx.audioWorklet.addModule(new URL('../gtcrn-worklet.js', import.meta.url));
		const node = new AudioWorkletNode(ctx, 'gtcrn-denoiser', {
			numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
			processorOptions: { wasmModule: Gtcrn.wasmModule, model: modelBytes,
				...opts() } });
		const live = demo.live = { ctx, node, media, latency: null, sampleRate: ctx.sampleRate,
			stats: null, captured: null };
		node.port.onmessage = (ev) => onWorklet(live, ev.data);
		node.port.postMessage({ bypass: $('bypass').checked });
		ctx.createMediaStreamSource(media).connect(node).connect(ctx.destination);
		await ctx.resume();
		$('live-stop').disabled = false;
		say(status, `Listening at ${ctx.sampleRate} Hz…`);
	} catch (e) {
		$('live-start').disabled = false;
		fail(status, e);
	}
}

function onWorklet(live, m) {
	const status = $('live-status');
	if (m.type === 'ready') {
		live.latency = m.latency;
		say(status, `Denoising at ${m.sampleRate} Hz; latency ` +
			`${(m.latency / m.sampleRate * 1000).toFixed(1)} ms.`);
	} else if (m.type === 'stats') {
		live.stats = m;                  // (its frameTimeUs: Date.now()'s 1 ms steps)
	} else if (m.type === 'capture' && live.captured) {
		live.captured.input.push(m.input);
		live.captured.output.push(m.output);
	} else if (m.type === 'error') {
		fail(status, m.message);
	}
}

async function liveStop() {
	const live = demo.live;
	if (!live)
		return;
	for (const t of live.media.getTracks())
		t.stop();
	await live.ctx.close();
	demo.live = null;
	$('live-stop').disabled = true;
	$('live-start').disabled = false;
	say($('live-status'), 'Stopped.');
}

// tests: collect the worklet's input and output blocks from now on
demo.capture = (on) => {
	if (!demo.live)
		return false;
	demo.live.captured = on ? { input: [], output: [] } : demo.live.captured;
	demo.live.node.port.postMessage({ capture: on });
	return true;
};

function settingsChanged() {
	const o = opts();
	$('mix-value').textContent = o.mix.toFixed(2);
	$('atten-value').textContent = o.attenLimitDb < 0 ? 'none' : o.attenLimitDb + ' dB';
	if (demo.live)
		demo.live.node.port.postMessage(o);
}

async function main() {
	const status = $('model-status');
	try {
		lib = await Gtcrn.init(new URL('../gtcrn.wasm', import.meta.url));
	} catch (e) {
		return fail(status, e);
	}
	$('model-file').onchange = async (ev) => {
		const f = ev.target.files[0];
		if (f)
			await useModel(await f.arrayBuffer(), f.name).catch((e) => fail(status, e));
	};
	$('audio-file').onchange = (ev) => {
		const f = ev.target.files[0];
		if (f)
			enhanceFile(f).catch((e) => fail($('file-status'), e));
	};
	$('live-start').onclick = liveStart;
	$('live-stop').onclick = liveStop;
	$('bypass').onchange = () => demo.live &&
		demo.live.node.port.postMessage({ bypass: $('bypass').checked });
	$('mix').oninput = $('atten').oninput = settingsChanged;
	const r = await fetch('gtcrn.onnx').catch(() => null);
	if (r && r.ok)
		await useModel(await r.arrayBuffer(), 'gtcrn.onnx').catch((e) => fail(status, e));
	else
		say(status, 'Choose a GTCRN export (.onnx) to start.');
}

main();
