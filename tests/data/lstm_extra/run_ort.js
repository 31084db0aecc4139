// run_ort.js - runs one model with ONNX Runtime (onnxruntime-node, 1 thread) for make.py:
// node run_ort.js model.onnx inputs.json -> the outputs as JSON on stdout.
// inputs.json: { name: { type: "float32" | "int32", dims: [...], data: [...] } }.
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const [model, inputs] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const feeds = {};
  for (const [name, t] of Object.entries(JSON.parse(fs.readFileSync(inputs, 'utf8')))) {
    const data = t.type === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data);
    feeds[name] = new ort.Tensor(t.type, data, t.dims);
  }
  const r = await s.run(feeds);
  const out = {};
  for (const name of s.outputNames)
    out[name] = { dims: r[name].dims, data: Array.from(r[name].data) };
  process.stdout.write(JSON.stringify(out));
})();
