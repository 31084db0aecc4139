// run_ort.js - runs one model with ONNX Runtime (onnxruntime-node, 1 thread) for make.py
// and bench.py: node run_ort.js model.onnx inputs.json [RUNS] -> the outputs as JSON on
// stdout; with RUNS, times that many runs after 200 untimed ones and prints
// { "median_us": ..., "min_us": ... } instead (Node's call overhead included).
// inputs.json: { name: { type: "float32" | "int32", dims: [...], data: [...] } }.
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const [model, inputs, runs] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model,
                                              { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = {};
  for (const [name, t] of Object.entries(JSON.parse(fs.readFileSync(inputs, 'utf8')))) {
    const data = t.type === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data);
    feeds[name] = new ort.Tensor(t.type, data, t.dims);
  }
  if (runs) {
    const ts = [];
    for (let i = 0; i < 200; i++)
      await s.run(feeds);
    for (let i = 0; i < Number(runs); i++) {
      const t0 = process.hrtime.bigint();
      await s.run(feeds);
      ts.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    ts.sort((a, b) => a - b);
    process.stdout.write(JSON.stringify({ median_us: ts[ts.length >> 1], min_us: ts[0] }));
    return;
  }
  const r = await s.run(feeds);
  const out = {};
  for (const name of s.outputNames)
    out[name] = { dims: r[name].dims, data: Array.from(r[name].data) };
  process.stdout.write(JSON.stringify(out));
})();
