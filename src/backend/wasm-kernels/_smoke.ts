import * as tf from '@tensorflow/tfjs';
import { initBackends, compareWithCpu, normal } from './test-support.ts';
await initBackends();
const before = tf.memory().numTensors;
for (const [shape, k, s, pad, cin, cout] of [[[2,7,9,3],3,1,'same',3,4],[[2,7,9,3],3,2,'same',3,4],[[2,8,8,3],3,2,'valid',3,5],[[3,11,10,2],5,2,'valid',2,3],[[1,5,5,1],2,1,'same',1,1]] as const) {
  const x = normal([...shape]); const w = normal([k,k,cin,cout]);
  const yshape = tf.tidy(() => tf.conv2d(tf.zeros(shape as any) as tf.Tensor4D, tf.zeros([k,k,cin,cout]) as tf.Tensor4D, s, pad).shape);
  const dy = normal(yshape);
  const e = await compareWithCpu([x,w,dy], (x,w,dy) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))([x,w], dy));
  console.log('conv', shape, k, s, pad, e);
}
for (const [shape, k, s, pad, m] of [[[2,7,9,3],3,1,'same',1],[[2,7,9,3],3,2,'same',2],[[2,8,8,3],3,2,'valid',1],[[1,11,10,2],5,2,'valid',3]] as const) {
  const x = normal([...shape]); const w = normal([k,k,shape[3],m]);
  const yshape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(shape as any) as tf.Tensor4D, tf.zeros([k,k,shape[3],m]) as tf.Tensor4D, s, pad).shape);
  const dy = normal(yshape);
  const e = await compareWithCpu([x,w,dy], (x,w,dy) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))([x,w], dy));
  console.log('dw', shape, k, s, pad, m, e);
}
for (const [shape, k, s, pad, mean] of [[[2,8,8,3],2,2,'valid',-3],[[2,9,7,3],2,2,'same',-3],[[2,9,7,3],3,2,'same',0],[[2,9,7,3],3,1,'valid',-3],[[2,9,7,3],2,1,'same',0]] as const) {
  const x = normal([...shape], mean);
  const yshape = tf.tidy(() => tf.maxPool(tf.zeros(shape as any) as tf.Tensor4D, k, s, pad).shape);
  const dy = normal(yshape);
  const e = await compareWithCpu([x,dy], (x,dy) => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, k, s, pad))(x, dy));
  console.log('maxpool', shape, k, s, pad, mean, e);
}
for (const [ta, tb] of [[false,false],[true,false],[false,true],[true,true]]) {
  const a = normal(ta ? [20, 30] : [30, 20]); const b = normal(tb ? [10, 20] : [20, 10]);
  console.log('mm', ta, tb, await compareWithCpu([a,b], (a,b) => tf.matMul(a,b,ta,tb)));
}
console.log('tile', await compareWithCpu([normal([3,1,4])], (x) => tf.tile(x, [2,5,3])));
console.log('uss', await compareWithCpu([normal([6,3]), {shape:[6], data: Int32Array.from([0,2,2,5,-1,1]), dtype:'int32'}], (x, ids) => tf.unsortedSegmentSum(x, ids, 4)));
console.log('leak', tf.memory().numTensors - before);
