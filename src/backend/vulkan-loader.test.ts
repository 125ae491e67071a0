import { describe, expect, it } from 'vitest';
import { planLibrarySearchDirs } from './vulkan-loader.ts';

const DEFAULTS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64'];

describe('planLibrarySearchDirs', () => {
  const cases: { name: string; env: string | undefined; conf: string[]; expected: string[] }[] = [
    { name: 'nothing configured', env: undefined, conf: [], expected: DEFAULTS },
    {
      name: 'LD_LIBRARY_PATH first, empty entries dropped',
      env: '/opt/cuda/lib64::/opt/x',
      conf: [],
      expected: ['/opt/cuda/lib64', '/opt/x', ...DEFAULTS],
    },
    {
      name: 'ld.so.conf lines without comments or include directives, duplicates once',
      env: '/usr/lib',
      conf: ['include /etc/ld.so.conf.d/*.conf\n', '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu # trailing\n'],
      expected: ['/usr/lib', '/usr/local/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/lib', '/lib64', '/usr/lib64'],
    },
  ];

  it.each(cases)('$name', ({ env, conf, expected }) => {
    expect(planLibrarySearchDirs(env, conf)).toEqual(expected);
  });
});
