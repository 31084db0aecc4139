#!/usr/bin/python3
"""Makes the pooling, group-normalisation, resize, GridSample and RoiAlign cases of tests/data (ONNX test-data-set layout: test_<case>/model.textproto,
<case>/test_data_set_0/{input,output}_N.pb) that the ONNX 1.12 node suite lacks:
dilated MaxPool with Indices, ceil_mode with pads, storage_order, int8, 3-D, AveragePool
count_include_pad with ceil_mode and dilations (opset 19), LpPool, GlobalLpPool;
GroupNormalization at opsets 18 (scale, bias per group) and 21 (per channel), and
InstanceNormalization on 3-D and 1-D inputs; Resize's modes the suite misses
(antialias, axes, keep_aspect_ratio_policy, half_pixel_symmetric, nearest floor/ceil,
tf_crop_and_resize with linear and extrapolation, trilinear, opset 10, uint8), Upsample-7.
The inputs are seeded random values; the expected outputs come from ONNX Runtime
(onnxruntime-node in /work/ortnode, 1 thread). Run from tests/data: ./make.py"""
import json
import os
import subprocess
import zlib
import fixture
import numpy as np
from onnx import helper, numpy_helper, TensorProto

ORT_DIR = '/work/ortnode'
JS = r'''
const ort = require('onnxruntime-node');
const fs = require('fs');
(async () => {
  const job = JSON.parse(fs.readFileSync(process.argv[1]));
  const s = await ort.InferenceSession.create(job.model, {intraOpNumThreads: 1});
  const b = fs.readFileSync(job.input);
  const ctor = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array, float64: Float64Array,
                float16: Uint16Array};
  const C = ctor[job.type];
  const data = new C(b.buffer, b.byteOffset, b.length / C.BYTES_PER_ELEMENT);
  const r = await s.run({X: new ort.Tensor(job.type, data, job.shape)});
  const out = {};
  for (const k of Object.keys(r))
    out[k] = {dims: r[k].dims, data: Array.from(r[k].data, v => Number(v))};
  fs.writeFileSync(job.output, JSON.stringify(out));
})();
'''
NP = {TensorProto.FLOAT: np.float32, TensorProto.INT8: np.int8, TensorProto.UINT8: np.uint8,
      TensorProto.DOUBLE: np.float64, TensorProto.FLOAT16: np.float16}
JS_TYPE = {TensorProto.FLOAT: 'float32', TensorProto.INT8: 'int8', TensorProto.UINT8: 'uint8',
           TensorProto.DOUBLE: 'float64', TensorProto.FLOAT16: 'float16'}


def case(name, op, shape, opset, outputs=('Y',), elem=TensorProto.FLOAT, inits=(), consts=(),
         **attrs):
    """inits: (name, shape) of constant inputs after X, seeded random values; consts:
    (name, array) of constant inputs after those, '' for an omitted one."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if elem in (TensorProto.INT8, TensorProto.UINT8):
        info = np.iinfo(NP[elem])
        x = rng.integers(info.min, info.max + 1, size=shape).astype(NP[elem])
    else:
        x = rng.standard_normal(shape).astype(NP[elem])
    tensors = [numpy_helper.from_array(rng.standard_normal(sh).astype(NP[elem]), nm)
               for nm, sh in inits]
    tensors += [numpy_helper.from_array(v, nm) for nm, v in consts if nm]
    node = helper.make_node(op, ['X'] + [nm for nm, _ in inits] + [nm for nm, _ in consts],
                            list(outputs), **attrs)
    outs = [helper.make_tensor_value_info(o, TensorProto.INT64 if o == 'Indices' else elem,
                                          None) for o in outputs]
    graph = helper.make_graph([node], name, [helper.make_tensor_value_info('X', elem, shape)],
                              outs, initializer=tensors)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='tests/data/make.py')
    model.ir_version = 8
    os.makedirs(name + '/test_data_set_0', exist_ok=True)
    fixture.save(model, name)
    with open(name + '/test_data_set_0/input_0.pb', 'wb') as f:
        f.write(numpy_helper.from_array(x, 'X').SerializeToString())
    tmp = '/tmp/make_pool_norm_' + name
    x.tofile(tmp + '.bin')
    with open(tmp + '.json', 'w') as f:
        json.dump({'model': os.path.abspath(name + '/model.onnx'), 'input': tmp + '.bin',
                   'type': JS_TYPE[elem], 'shape': list(shape), 'output': tmp + '.out'}, f)
    subprocess.run(['node', '-e', JS, tmp + '.json'], cwd=ORT_DIR, check=True)
    with open(tmp + '.out') as f:
        res = json.load(f)
    for i, o in enumerate(outputs):
        dt = np.int64 if o == 'Indices' else NP[elem]
        if dt == np.float16:   # onnxruntime-node gives float16 elements as their bits
            y = np.array(res[o]['data'], dtype=np.uint16).view(np.float16)
        else:
            y = np.array(res[o]['data'], dtype=dt)
        y = y.reshape(res[o]['dims'])
        with open('%s/test_data_set_0/output_%d.pb' % (name, i), 'wb') as f:
            f.write(numpy_helper.from_array(y, o).SerializeToString())


case('test_pool_maxpool_2d_dilations_indices', 'MaxPool', [1, 2, 7, 8], 12, ('Y', 'Indices'),
     kernel_shape=[3, 2], dilations=[2, 3], strides=[1, 2], pads=[1, 1, 2, 1])
case('test_pool_maxpool_2d_ceil_pads_colmajor', 'MaxPool', [2, 3, 6, 7], 12, ('Y', 'Indices'),
     kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, storage_order=1)
case('test_pool_maxpool_3d_dilations_ceil', 'MaxPool', [1, 2, 5, 6, 7], 12, ('Y', 'Indices'),
     kernel_shape=[2, 2, 2], dilations=[2, 1, 2], strides=[2, 2, 2], ceil_mode=1)
case('test_pool_maxpool_1d_same_lower', 'MaxPool', [2, 3, 9], 12, ('Y', 'Indices'),
     kernel_shape=[4], strides=[2], auto_pad='SAME_LOWER')
case('test_pool_maxpool_2d_int8_pads', 'MaxPool', [1, 3, 6, 5], 12, elem=TensorProto.INT8,
     kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
case('test_pool_maxpool_2d_2x2_odd', 'MaxPool', [1, 4, 9, 11], 12,
     kernel_shape=[2, 2], strides=[2, 2], auto_pad='VALID')
case('test_pool_maxpool_2d_double', 'MaxPool', [1, 2, 5, 6], 12, ('Y', 'Indices'),
     elem=TensorProto.DOUBLE, kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 1, 1])
case('test_pool_averagepool_2d_ceil_pads_include', 'AveragePool', [1, 2, 7, 7], 11,
     kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1)
case('test_pool_averagepool_2d_ceil_pads_exclude', 'AveragePool', [1, 2, 8, 7], 11,
     kernel_shape=[3, 2], strides=[2, 3], pads=[1, 0, 2, 1], ceil_mode=1)
case('test_pool_averagepool_19_dilations', 'AveragePool', [1, 2, 8, 9], 19,
     kernel_shape=[2, 3], dilations=[2, 2], strides=[1, 2], pads=[1, 1, 1, 1], ceil_mode=1)
case('test_pool_averagepool_same_upper_include', 'AveragePool', [1, 1, 5, 6], 11,
     kernel_shape=[3, 2], strides=[2, 2], auto_pad='SAME_UPPER', count_include_pad=1)
case('test_pool_lppool_18_p3', 'LpPool', [1, 2, 6, 7], 18,
     kernel_shape=[2, 3], strides=[2, 1], pads=[1, 0, 0, 1], p=3)
case('test_pool_lppool_2_default', 'LpPool', [2, 3, 5, 4], 11, kernel_shape=[2, 2])
case('test_pool_globallppool', 'GlobalLpPool', [2, 3, 4, 5], 11, p=2)
case('test_pool_globallppool_3d', 'GlobalLpPool', [1, 2, 3, 4, 2], 11, p=1)
case('test_norm_groupnorm_18', 'GroupNormalization', [2, 6, 4, 5], 18,
     inits=(('scale', [3]), ('bias', [3])), num_groups=3)
case('test_norm_groupnorm_18_eps_1d', 'GroupNormalization', [1, 4, 7], 18,
     inits=(('scale', [2]), ('bias', [2])), num_groups=2, epsilon=0.01)
case('test_norm_groupnorm_21', 'GroupNormalization', [2, 6, 3, 4], 21,
     inits=(('scale', [6]), ('bias', [6])), num_groups=2)
case('test_norm_groupnorm_21_one_group_3d', 'GroupNormalization', [1, 4, 2, 3, 5], 21,
     inits=(('scale', [4]), ('bias', [4])), num_groups=1, epsilon=1e-3)
case('test_norm_instancenorm_3d', 'InstanceNormalization', [2, 3, 4, 2, 5], 6,
     inits=(('scale', [3]), ('B', [3])))
case('test_norm_instancenorm_1d_eps', 'InstanceNormalization', [2, 4, 9], 6,
     inits=(('scale', [4]), ('B', [4])), epsilon=1e-2)


def f32(*v):
    return np.array(v, dtype=np.float32)


def i64(*v):
    return np.array(v, dtype=np.int64)


NO_ROI = ('', None)
case('test_resize_18_antialias_linear_down', 'Resize', [1, 2, 9, 10], 18,
     consts=(NO_ROI, ('scales', f32(1, 1, 0.5, 0.35))), mode='linear', antialias=1)
case('test_resize_18_antialias_cubic_sizes', 'Resize', [1, 1, 12, 9], 18,
     consts=(NO_ROI, ('', None), ('sizes', i64(1, 1, 5, 4))), mode='cubic', antialias=1)
case('test_resize_18_antialias_cubic_up', 'Resize', [1, 1, 3, 4], 18,
     consts=(NO_ROI, ('scales', f32(1, 1, 2, 1.5))), mode='cubic', antialias=1)
case('test_resize_18_axes_scales_linear', 'Resize', [2, 3, 5, 4], 18,
     consts=(NO_ROI, ('scales', f32(1.5, 2))), mode='linear', axes=[3, 2])
case('test_resize_18_not_larger', 'Resize', [1, 2, 6, 9], 18,
     consts=(NO_ROI, ('', None), ('sizes', i64(4, 4))), mode='linear', axes=[2, 3],
     keep_aspect_ratio_policy='not_larger')
case('test_resize_18_not_smaller_nearest', 'Resize', [1, 2, 6, 9], 18,
     consts=(NO_ROI, ('', None), ('sizes', i64(4, 4))), axes=[2, 3],
     keep_aspect_ratio_policy='not_smaller')
case('test_resize_19_half_pixel_symmetric', 'Resize', [1, 1, 5, 7], 19,
     consts=(NO_ROI, ('scales', f32(1, 1, 1.7, 0.6))), mode='linear',
     coordinate_transformation_mode='half_pixel_symmetric')
case('test_resize_nearest_floor_down', 'Resize', [1, 2, 7, 9], 13,
     consts=(NO_ROI, ('scales', f32(1, 1, 0.6, 0.45))), nearest_mode='floor')
case('test_resize_nearest_ceil_up', 'Resize', [1, 1, 4, 3], 13,
     consts=(NO_ROI, ('scales', f32(1, 1, 1.6, 2.5))), nearest_mode='ceil',
     coordinate_transformation_mode='pytorch_half_pixel')
case('test_resize_tf_crop_linear_extrapolate', 'Resize', [1, 1, 6, 7], 13,
     consts=(('roi', f32(0, 0, -0.2, 0.3, 1, 1, 0.9, 1.3)), ('', None),
             ('sizes', i64(1, 1, 5, 6))), mode='linear',
     coordinate_transformation_mode='tf_crop_and_resize', extrapolation_value=-3.5)
case('test_resize_tf_crop_nearest', 'Resize', [1, 2, 6, 5], 13,
     consts=(('roi', f32(0, 0, 0.1, -0.3, 1, 1, 0.8, 0.9)), ('', None),
             ('sizes', i64(1, 2, 4, 7))),
     coordinate_transformation_mode='tf_crop_and_resize', extrapolation_value=2.0)
case('test_resize_trilinear_5d', 'Resize', [1, 2, 3, 4, 5], 13,
     consts=(NO_ROI, ('scales', f32(1, 1, 2, 0.75, 1.4))), mode='linear',
     coordinate_transformation_mode='align_corners')
case('test_resize_cubic_exclude_outside_sizes', 'Resize', [1, 1, 5, 6], 13,
     consts=(NO_ROI, ('', None), ('sizes', i64(1, 1, 8, 4))), mode='cubic',
     exclude_outside=1, cubic_coeff_a=-0.5)
case('test_resize_cubic_asymmetric_down', 'Resize', [2, 1, 8, 8], 13,
     consts=(NO_ROI, ('scales', f32(1, 1, 0.5, 0.7))), mode='cubic',
     coordinate_transformation_mode='asymmetric')
case('test_resize_nearest_uint8', 'Resize', [1, 3, 4, 5], 13, elem=TensorProto.UINT8,
     consts=(NO_ROI, ('scales', f32(1, 1, 1.5, 0.8))))
case('test_resize_10_nearest_down', 'Resize', [1, 2, 7, 8], 10,
     consts=(('scales', f32(1, 1, 0.6, 0.5)),))
case('test_resize_10_linear_up', 'Resize', [1, 2, 3, 4], 10,
     consts=(('scales', f32(1, 1, 2.5, 1.5)),), mode='linear')
case('test_resize_11_linear_roi_scales', 'Resize', [1, 1, 4, 6], 11,
     consts=(('roi', np.zeros(0, np.float32)), ('scales', f32(1, 1, 0.75, 1.25))),
     mode='linear')
case('test_upsample_7_linear', 'Upsample', [1, 2, 3, 4], 7, mode='linear',
     scales=[1.0, 1.0, 2.0, 3.0])
case('test_resize_tf_crop_scales_linear', 'Resize', [1, 1, 6, 8], 13,
     consts=(('roi', f32(0, 0, 0.2, 0.1, 1, 1, 0.7, 1.2)), ('scales', f32(1, 1, 1.5, 0.8))),
     mode='linear', coordinate_transformation_mode='tf_crop_and_resize',
     extrapolation_value=1.25)
case('test_resize_tf_crop_uint8_extrapolate', 'Resize', [1, 2, 5, 4], 13,
     elem=TensorProto.UINT8,
     consts=(('roi', f32(0, 0, -0.25, 0.3, 1, 1, 0.9, 1.4)), ('', None),
             ('sizes', i64(1, 2, 6, 5))),
     coordinate_transformation_mode='tf_crop_and_resize', extrapolation_value=7.0)
case('test_pool_maxpool_2d_float16_indices', 'MaxPool', [1, 2, 6, 7], 12, ('Y', 'Indices'),
     elem=TensorProto.FLOAT16, kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1])
case('test_pool_averagepool_2d_float16', 'AveragePool', [1, 2, 6, 7], 11,
     elem=TensorProto.FLOAT16, kernel_shape=[2, 3], strides=[2, 1], pads=[1, 1, 0, 1])
case('test_resize_linear_float16', 'Resize', [1, 2, 4, 5], 13, elem=TensorProto.FLOAT16,
     consts=(NO_ROI, ('scales', np.array([1, 1, 1.5, 2], np.float32))), mode='linear')
# ceil_mode where the last window would start in the end pad: dropped (W: 7 -> 4, not 5)
case('test_pool_maxpool_2d_ceil_last_window_in_pad', 'MaxPool', [1, 2, 6, 7], 12,
     kernel_shape=[3, 2], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
case('test_pool_averagepool_2d_ceil_last_window_in_pad', 'AveragePool', [1, 2, 6, 7], 11,
     kernel_shape=[3, 2], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1,
     count_include_pad=1)


def grid(shape, seed, spread):
    """A sampling grid of the given shape, seeded values in [-spread, spread], and a few
    exact ones: the corners, 0, a NaN-free far point."""
    g = np.random.default_rng(seed).uniform(-spread, spread, size=shape).astype(np.float32)
    g.reshape(-1)[:4] = [-1, 1, 0, -spread * 2]
    return g


# GridSample: what the opset-16 suite lacks (points far outside with every padding and
# mode, cubic with border and reflection, nearest ties), and opset 20's N-D forms
# (ONNX Runtime has no double GridSample: the double path is the float one's code)
for mode in ('bilinear', 'nearest', 'bicubic'):
    for pad in ('zeros', 'border', 'reflection'):
        for align in (0, 1):
            case('test_gridsample_%s_%s_align%d' % (mode, pad, align), 'GridSample',
                 [2, 3, 4, 5], 16, consts=(('grid', grid([2, 3, 6, 2], len(mode + pad) + align,
                                                          3.5)),),
                 mode=mode, padding_mode=pad, align_corners=align)
case('test_gridsample_nearest_ties', 'GridSample', [1, 1, 3, 4], 16,
     consts=(('grid', np.array([[[[-0.75, -1 / 3], [0.25, 1 / 3], [-0.25, 0], [0.75, 1]]]],
                               np.float32)),), mode='nearest')
case('test_gridsample_20_linear_3d', 'GridSample', [1, 2, 3, 4, 5], 20,
     consts=(('grid', grid([1, 2, 3, 2, 3], 11, 1.3)),), mode='linear',
     padding_mode='reflection')
case('test_gridsample_20_nearest', 'GridSample', [2, 2, 3, 7], 20,
     consts=(('grid', grid([2, 5, 1, 2], 12, 1.4)),), mode='nearest', padding_mode='border',
     align_corners=1)
case('test_gridsample_20_cubic', 'GridSample', [1, 1, 5, 4], 20,
     consts=(('grid', grid([1, 3, 3, 2], 13, 1.2)),), mode='cubic', padding_mode='border')

# RoiAlign: what the suite (two avg cases) lacks: max mode, opset 10, sampling_ratio,
# spatial_scale, regions partly or wholly outside the plane, the second batch, double
ROIS = f32(0, 0, 3, 2, 1.5, 0.5, 6.5, 4.2, -3, -2, 2, 1, 5, 4, 9, 9, 2.2, 1.1, 2.3, 1.2).reshape(5, 4)
BATCH = i64(0, 1, 1, 0, 1)
case('test_roialign_max_half_pixel', 'RoiAlign', [2, 3, 6, 7], 16,
     consts=(('rois', ROIS), ('batch_indices', BATCH)), mode='max', output_height=2,
     output_width=3)
case('test_roialign_10_avg_sampling', 'RoiAlign', [2, 2, 5, 8], 10,
     consts=(('rois', ROIS), ('batch_indices', BATCH)), output_height=3, output_width=2,
     sampling_ratio=2, spatial_scale=0.5)
case('test_roialign_10_max', 'RoiAlign', [2, 2, 5, 5], 10,
     consts=(('rois', ROIS), ('batch_indices', BATCH)), mode='max', output_height=2,
     output_width=2)
case('test_roialign_double_output_half_pixel', 'RoiAlign', [2, 1, 6, 6], 16,
     elem=TensorProto.DOUBLE, consts=(('rois', ROIS.astype(np.float64)),
                                      ('batch_indices', BATCH)),
     coordinate_transformation_mode='output_half_pixel', output_height=2, output_width=2,
     sampling_ratio=3, spatial_scale=1.5)
