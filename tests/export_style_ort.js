// export_style_ort.js - runs gtcrn_offline_op17.onnx and rewrites of it that
// tests/check_exports_style wrote (GRT_EXPORT_STYLE_DUMP=dir) in ONNX Runtime
// (onnxruntime-node, 1 thread) and prints each one's max abs difference from
// the original. Input: the raw float32 file $INPUT_BIN of shape (1, 257, T, 2)
// (test_data_set_1/input_0.pb's values), else a fixed pseudo-random T = 8.
// Rewrites run at ORT's 'basic' graph optimizations: 1.30 crashes at 'all' on
// the float16 rewrite.
//   cd /work/ortnode && node .../tests/export_style_ort.js dir/*.onnx
const ort = require(process.cwd() + '/node_modules/onnxruntime-node');
const fs = require('fs');
(async () => {
  let x;
  if (process.env.INPUT_BIN) {
    const b = fs.readFileSync(process.env.INPUT_BIN);
    x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  } else {
    x = new Float32Array(257 * 8 * 2);
    let s = 1;
    for (let i = 0; i < x.length; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      x[i] = (s / 2147483648 - 0.5) * 2;
    }
  }
  const T = x.length / (257 * 2);
  const run = async (path, level) => {
    const s = await ort.InferenceSession.create(path,
      { intraOpNumThreads: 1, graphOptimizationLevel: level });
    return (await s.run({ spec: new ort.Tensor('float32', x, [1, 257, T, 2]) })).enh.data;
  };
  const models = process.env.GRT_MODELS_DIR || '/work/shared/models';
  const ref = await run(models + '/gtcrn_offline_op17.onnx', 'basic');
  for (const f of process.argv.slice(2)) {
    const y = await run(f, 'basic');
    let m = 0;
    for (let i = 0; i < y.length; i++)
      m = Math.max(m, Math.abs(y[i] - ref[i]));
    console.log(`${f}: T ${T}, max abs diff from the original ${m}`);
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });
