// check-browser.js PKGDIR MODEL MIX.wav GTCRN_RUN SCREENSHOT.png - `make check-browser`:
// the demo page of the wasm package (PKGDIR, from `make wasm`) in headless
// Chromium, driven by puppeteer-core (found through NODE_PATH):
//  1. it enhances MIX.wav chosen in its file input; the WAV behind its download
//     link must equal the native library's output (GTCRN_RUN -e float, the same
//     model) within 1e-4;
//  2. its live path, with Chromium's fake microphone playing MIX.wav, must
//     lower the energy of the noise-only stretches (the quietest fifth of 20 ms
//     frames of the input) as the native output of MIX.wav does, within 3 dB;
//     with the bypass switch on, by nothing (within 0.1 dB); the per-frame time
//     must show on the page;
//  3. a screenshot (saved to SCREENSHOT.png) must show each of the page's
//     controls: every element's box lies in the picture and is not blank.
// The page is served from 127.0.0.1 (a secure context, as AudioWorklet and
// getUserMedia need), with MODEL as demo/gtcrn.onnx. Exits 0 when all hold.
'use strict';
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const [PKG, MODEL, MIX, GTCRN_RUN, SHOT] = process.argv.slice(2);
if (!SHOT) {
	console.error('usage: check-browser.js PKGDIR MODEL MIX.wav GTCRN_RUN SCREENSHOT.png');
	process.exit(2);
}
let puppeteer;
try {
	puppeteer = require('puppeteer-core');
} catch (e) {
	console.error('check-browser: needs puppeteer-core: `npm install --ignore-scripts ' +
		'puppeteer-core` in a folder, then NODE_PATH=that/node_modules');
	process.exit(2);
}
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium']
	.find((p) => fs.existsSync(p));
if (!CHROMIUM) {
	console.error('check-browser: needs Chromium (Debian: apt-get install chromium)');
	process.exit(2);
}

let failures = 0;
function check(ok, what) {
	console.log(`check-browser: ${ok ? 'ok' : 'FAILED'}: ${what}`);
	if (!ok)
		failures++;
}

// the samples of a float32 or 16-bit PCM WAV: {rate, nch, x: Float32Array interleaved}
function readWav(buf) {
	const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
	let fmt = -1, data = -1, len = 0;
	for (let o = 12; o + 8 <= buf.length; ) {
		const id = buf.toString('latin1', o, o + 4), n = v.getUint32(o + 4, true);
		if (id === 'fmt ')
			fmt = o + 8;
		if (id === 'data') {
			data = o + 8;
			len = Math.min(n, buf.length - data);
		}
		o += 8 + n + (n & 1);
	}
	if (buf.toString('latin1', 0, 4) !== 'RIFF' || fmt < 0 || data < 0)
		throw new Error('not a WAV file');
	let format = v.getUint16(fmt, true);
	if (format === 0xfffe)
		format = v.getUint16(fmt + 24, true);
	const nch = v.getUint16(fmt + 2, true), rate = v.getUint32(fmt + 4, true);
	const bits = v.getUint16(fmt + 14, true);
	const x = new Float32Array(len / (bits / 8));
	for (let i = 0; i < x.length; i++)
		x[i] = format === 3 && bits === 32 ? v.getFloat32(data + 4 * i, true) :
			format === 1 && bits === 16 ? v.getInt16(data + 2 * i, true) / 32768 : NaN;
	if (x.some(Number.isNaN))
		throw new Error(`WAV format ${format}/${bits} bits: only float32 and PCM16 read here`);
	return { rate, nch, x };
}

// dB change of the energy in the quietest fifth of the input's 20 ms frames
// (frames of digital silence left out), output sample i + shift against input i
function noiseDrop(input, output, rate, shift) {
	const w = Math.round(rate * 0.02), frames = [];
	for (let s = 0; s + w <= input.length && s + w + shift <= output.length; s += w) {
		let ei = 0, eo = 0;
		for (let i = s; i < s + w; i++) {
			ei += input[i] * input[i];
			eo += output[i + shift] * output[i + shift];
		}
		if (ei > 1e-12)
			frames.push([ei, eo]);
	}
	frames.sort((a, b) => a[0] - b[0]);
	const q = frames.slice(0, Math.max(1, Math.floor(frames.length / 5)));
	const sum = (k) => q.reduce((t, f) => t + f[k], 0);
	return 10 * Math.log10(sum(1) / sum(0));
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
	'.wasm': 'application/wasm', '.json': 'application/json', '.onnx':
	'application/octet-stream' };
function serve() {
	const root = path.resolve(PKG);
	const server = http.createServer((req, res) => {
		const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
		const file = url === '/demo/gtcrn.onnx' ? MODEL : path.join(root, path.normalize(url));
		if (!file.startsWith(root) && file !== MODEL || !fs.existsSync(file) ||
		    !fs.statSync(file).isFile()) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ||
			'application/octet-stream' });
		fs.createReadStream(file).pipe(res);
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the samples at a blob: URL of the page, as a Buffer
async function fetchBlob(page, url) {
	const b64 = await page.evaluate(async (u) => {
		const a = new Uint8Array(await (await fetch(u)).arrayBuffer());
		let s = '';
		for (let i = 0; i < a.length; i += 0x8000)
			s += String.fromCharCode.apply(null, a.subarray(i, i + 0x8000));
		return btoa(s);
	}, url);
	return Buffer.from(b64, 'base64');
}

// the captured live input and output (Float32Arrays) since capture was turned on
async function capture(page, seconds) {
	await page.evaluate(() => window.gtcrnDemo.capture(true));
	await sleep(seconds * 1000);
	const b64 = await page.evaluate(() => {
		const c = window.gtcrnDemo.live.captured;
		window.gtcrnDemo.capture(false);
		const pack = (blocks) => {
			const n = blocks.reduce((t, b) => t + b.length, 0), all = new Float32Array(n);
			let o = 0;
			for (const b of blocks) { all.set(b, o); o += b.length; }
			const a = new Uint8Array(all.buffer);
			let s = '';
			for (let i = 0; i < a.length; i += 0x8000)
				s += String.fromCharCode.apply(null, a.subarray(i, i + 0x8000));
			return btoa(s);
		};
		return [pack(c.input), pack(c.output)];
	});
	return b64.map((s) => { const b = Buffer.from(s, 'base64');
		return new Float32Array(b.buffer, b.byteOffset, b.length / 4); });
}

async function fileCheck(page, tmp) {
	execFileSync(GTCRN_RUN, ['-q', '-e', 'float', MODEL, MIX, path.join(tmp, 'ref.wav')]);
	const ref = readWav(fs.readFileSync(path.join(tmp, 'ref.wav')));
	await (await page.$('#audio-file')).uploadFile(MIX);
	await page.waitForFunction(() => window.gtcrnDemo.file || window.gtcrnDemo.error,
		{ timeout: 60000 });
	const err = await page.evaluate(() => window.gtcrnDemo.error);
	check(!err, `the page enhanced ${path.basename(MIX)}${err ? ': ' + err : ''}`);
	if (err)
		return null;
	const href = await page.$eval('#download', (a) => a.href);
	const got = readWav(await fetchBlob(page, href));
	let max = 0;
	for (let i = 0; i < Math.min(got.x.length, ref.x.length); i++)
		max = Math.max(max, Math.abs(got.x[i] - ref.x[i]));
	check(got.rate === ref.rate && got.nch === ref.nch && got.x.length === ref.x.length,
		`download: ${got.x.length} samples at ${got.rate} Hz, native ${ref.x.length} at ` +
		`${ref.rate} Hz`);
	check(max <= 1e-4, `download against the native library: max abs diff ${max.toExponential(2)}` +
		' (at most 1e-4)');
	const mix = readWav(fs.readFileSync(MIX));
	const native = noiseDrop(mix.x, ref.x, mix.rate, 0);
	console.log(`check-browser: native noise-only energy change ${native.toFixed(2)} dB`);
	return native;
}

async function liveCheck(page, native) {
	await page.click('#live-start');
	await page.waitForFunction(() => window.gtcrnDemo.live && window.gtcrnDemo.live.latency !== null
		|| window.gtcrnDemo.error, { timeout: 30000 });
	const err = await page.evaluate(() => window.gtcrnDemo.error);
	check(!err, `the live path started${err ? ': ' + err : ''}`);
	if (err)
		return;
	const { latency, sampleRate } = await page.evaluate(() => ({
		latency: window.gtcrnDemo.live.latency, sampleRate: window.gtcrnDemo.live.sampleRate }));
	await sleep(1000);                 // past the stream's start
	const [inp, out] = await capture(page, 8);
	const live = noiseDrop(inp, out, sampleRate, latency);
	check(inp.length >= sampleRate * 6, `captured ${(inp.length / sampleRate).toFixed(1)} s ` +
		`at ${sampleRate} Hz, latency ${latency} samples`);
	check(live < -6 && Math.abs(live - native) <= 3, `live noise-only energy change ` +
		`${live.toFixed(2)} dB against native ${native.toFixed(2)} dB (within 3 dB)`);
	await page.click('#bypass');
	await sleep(300);
	const [binp, bout] = await capture(page, 2);
	const bypass = noiseDrop(binp, bout, sampleRate, 0);
	check(Math.abs(bypass) <= 0.1, `bypass: noise-only energy change ${bypass.toFixed(2)} dB`);
	await page.click('#bypass');
	const shown = await page.$eval('#frame-time', (e) => e.textContent);
	const us = parseFloat(shown);
	check(us > 0, `per-frame time on the page: "${shown}"`);
}

// every control's box is inside the screenshot and not one flat colour there
async function screenshotCheck(browser, page) {
	const ids = ['model-file', 'mix', 'atten', 'audio-file', 'play-in', 'play-out', 'download',
		'live-start', 'live-stop', 'bypass', 'frame-time'];
	const boxes = {};
	for (const id of ids) {
		const el = await page.$('#' + id);
		boxes[id] = el && await el.boundingBox();
	}
	const dims = await page.evaluate(() => ({ w: document.documentElement.scrollWidth,
		h: document.documentElement.scrollHeight }));
	const png = await page.screenshot({ path: SHOT, fullPage: true });
	const viewer = await browser.newPage();
	const colours = await viewer.evaluate(async (b64, boxes) => {
		const img = new Image();
		img.src = 'data:image/png;base64,' + b64;
		await img.decode();
		const c = document.createElement('canvas');
		c.width = img.width;
		c.height = img.height;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const out = { size: [img.width, img.height] };
		for (const [id, b] of Object.entries(boxes)) {
			if (!b || b.width < 1 || b.height < 1 || b.x < 0 || b.y < 0 ||
			    b.x + b.width > img.width || b.y + b.height > img.height) {
				out[id] = 0;
				continue;
			}
			const d = g.getImageData(Math.floor(b.x), Math.floor(b.y), Math.ceil(b.width),
				Math.ceil(b.height)).data;
			const seen = new Set();
			for (let i = 0; i < d.length; i += 4)
				seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
			out[id] = seen.size;
		}
		return out;
	}, Buffer.from(png).toString('base64'), boxes);
	await viewer.close();
	check(colours.size[0] >= dims.w && colours.size[1] >= dims.h,
		`screenshot ${colours.size.join('x')} covers the page ${dims.w}x${dims.h}`);
	for (const id of ids)
		check(colours[id] >= 2, `screenshot shows #${id} (${colours[id]} colours in its box)`);
}

async function main() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-browser-'));
	const server = await serve();
	const url = `http://127.0.0.1:${server.address().port}/demo/index.html`;
	const args = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
		`--use-file-for-fake-audio-capture=${path.resolve(MIX)}`,
		'--autoplay-policy=no-user-gesture-required', '--mute-audio'];
	if (process.getuid && process.getuid() === 0)
		args.push('--no-sandbox');
	const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: 'new', args });
	try {
		const page = await browser.newPage();
		page.on('console', (m) => console.log(`check-browser: page: ${m.text()}`));
		page.on('pageerror', (e) => { console.log(`check-browser: page error: ${e.message}`);
			failures++; });
		await page.setViewport({ width: 900, height: 900 });
		await page.goto(url);
		await page.waitForFunction(() => window.gtcrnDemo.ready || window.gtcrnDemo.error,
			{ timeout: 30000 });
		const err = await page.evaluate(() => window.gtcrnDemo.error);
		check(!err, `the page loaded the model${err ? ': ' + err : ''}`);
		if (!err) {
			const native = await fileCheck(page, tmp);
			if (native !== null)
				await liveCheck(page, native);
			await screenshotCheck(browser, page);
		}
	} finally {
		await browser.close();
		server.close();
		fs.rmSync(tmp, { recursive: true, force: true });
	}
	console.log(`check-browser: ${failures ? failures + ' FAILED' : 'all passed'}; ` +
		`screenshot in ${SHOT}`);
	process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(`check-browser: ${e.stack || e}`); process.exit(1); });
