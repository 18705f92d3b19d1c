import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import type { Trustpoint } from '../config/model.ts';
import { refuse } from './refuse.ts';
export async function acmeCaCertificates(_app: TrustpointApp, _io: Interaction, _tp: Trustpoint): Promise<Uint8Array[]> {
  refuse('% not yet');
}
export async function enrollAcme(_app: TrustpointApp, _io: Interaction, _tp: Trustpoint): Promise<void> {
  refuse('% not yet');
}
export async function acmeStatusLines(_app: TrustpointApp, _tp: Trustpoint): Promise<string[]> {
  return [];
}
