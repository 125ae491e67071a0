import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBGPU_SETTINGS, dawnCreateFlags, describeWebGpuSettings, parseWebGpuSettings } from './webgpu-settings.ts';

describe('webgpu settings (BATCHLAB_WEBGPU)', () => {
  it.each([undefined, '', 'default', ' , default '])('%j gives the defaults', (text) => {
    expect(parseWebGpuSettings(text)).toEqual(DEFAULT_WEBGPU_SETTINGS);
  });

  it('reads toggles on, toggles off and the submit batch', () => {
    expect(parseWebGpuSettings('skip_validation, disable_robustness,-lazy_clear_resource_on_first_use,submit=30')).toEqual({
      enable: ['skip_validation', 'disable_robustness'], disable: ['lazy_clear_resource_on_first_use'], submitBatch: 30,
    });
  });

  it.each([
    ['skip-validation', /got "skip-validation"/],
    ['submit=0', /submit=N with N >= 1/],
    ['submit=x', /got "submit=x"/],
    ['-', /got "-"/],
  ])('refuses %j, naming it', (text, message) => {
    expect(parseWebGpuSettings(text)).toMatch(message);
  });

  it('turns settings into Dawn create() flags and run.json fields', () => {
    const s = { enable: ['skip_validation', 'disable_workgroup_init'], disable: ['lazy_clear_resource_on_first_use'], submitBatch: 15 } as const;
    expect(dawnCreateFlags(s)).toEqual(['enable-dawn-features=skip_validation,disable_workgroup_init', 'disable-dawn-features=lazy_clear_resource_on_first_use']);
    expect(describeWebGpuSettings(s)).toEqual({
      webgpu_dawn_toggles: '+skip_validation,+disable_workgroup_init,-lazy_clear_resource_on_first_use', webgpu_submit_batch: '15',
    });
    expect(dawnCreateFlags(DEFAULT_WEBGPU_SETTINGS)).toEqual([]);
    expect(describeWebGpuSettings(DEFAULT_WEBGPU_SETTINGS)).toEqual({ webgpu_dawn_toggles: 'none', webgpu_submit_batch: '15' });
  });
});
