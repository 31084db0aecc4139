// node ort.js MODEL IN.f16 T OUT.f16: one ONNX Runtime run of a float16 GTCRN offline
// export on spec (1, 257, T, 2) read from IN.f16; writes enh to OUT.f16 (raw float16).
// Optimisation level 'basic': ORT 1.30's extended fusions crash on this graph.
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const s = await ort.InferenceSession.create(process.argv[2],
    {intraOpNumThreads: 1, graphOptimizationLevel: 'basic'});
  const b = fs.readFileSync(process.argv[3]);
  const x = new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
  const r = await s.run({spec: new ort.Tensor('float16', x, [1, 257, +process.argv[4], 2])});
  const y = r.enh.data;
  fs.writeFileSync(process.argv[5], Buffer.from(y.buffer, y.byteOffset, y.byteLength));
})();
