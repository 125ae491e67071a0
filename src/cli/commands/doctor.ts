/** `batchlab doctor`: one line per backend; exit 0 when at least one works. */
import { probeBackends } from '../../backend/index.ts';
import { renderDoctor } from '../../backend/doctor.ts';
import { EXIT } from '../../errors.ts';
import type { Output } from '../output.ts';

export async function doctorCommand(io: Output): Promise<number> {
  const probes = await probeBackends();
  io.out(renderDoctor(probes));
  return probes.some((p) => p.usable) ? EXIT.ok : EXIT.failure;
}
