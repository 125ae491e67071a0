import * as tf from '@tensorflow/tfjs';
import { initBackends, compareWithCpu, normal } from './test-support.ts';
await initBackends();
for (const [shape, ax, mean] of [[[64,28,28,16],[0,1,2],0],[[64,28,28,16],[0,1,2],5],[[7,5,3],[0],0],[[7,5,3],[0,1],3],[[300,10],[0],1],[[7,5,3],[1],0],[[7,5,3],[-3,-2],0]] as const) {
  console.log(shape, ax, mean, 'sum', await compareWithCpu([normal([...shape], mean)], (x) => tf.sum(x, [...ax])), 'mean', await compareWithCpu([normal([...shape], mean)], (x) => tf.mean(x, [...ax], true)));
}
