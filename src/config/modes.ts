/**
 * IOS command modes. Each mode has its prompt suffix and its parent: a line that matches no
 * command of a configuration sub-mode is tried in the parent modes, and if it matches there
 * the sub-mode is left (as IOS does when a pasted configuration moves to the next section).
 */
import type { ChainCertKind } from './model.ts';

export type ModeId = 'user' | 'exec' | 'config' | 'ca-trustpoint' | 'ca-profile-enroll' | 'config-cert-chain' | 'config-pubkey' | 'cs-server' | 'ca-certificate-map' | 'ca-trustpool';

export interface ModeInfo {
  id: ModeId;
  /** appended to the hostname: `kiosk7(ca-trustpoint)#` */
  prompt: string;
  parent?: ModeId;
  /** true for the configuration modes (where `end`, Ctrl-Z and `do` apply) */
  config: boolean;
}

export const MODES: Readonly<Record<ModeId, ModeInfo>> = {
  user: { id: 'user', prompt: '>', config: false },
  exec: { id: 'exec', prompt: '#', config: false },
  config: { id: 'config', prompt: '(config)#', parent: 'exec', config: true },
  'ca-trustpoint': { id: 'ca-trustpoint', prompt: '(ca-trustpoint)#', parent: 'config', config: true },
  'ca-profile-enroll': { id: 'ca-profile-enroll', prompt: '(ca-profile-enroll)#', parent: 'config', config: true },
  'config-cert-chain': { id: 'config-cert-chain', prompt: '(config-cert-chain)#', parent: 'config', config: true },
  'config-pubkey': { id: 'config-pubkey', prompt: '(config-pubkey)#', parent: 'config-cert-chain', config: true },
  // `crypto pki server` (IOS certificate server): accepted and ignored, see config/commands.ts
  'cs-server': { id: 'cs-server', prompt: '(cs-server)#', parent: 'config', config: true },
  // `crypto pki certificate map` and `crypto pki trustpool policy`: accepted and ignored likewise
  'ca-certificate-map': { id: 'ca-certificate-map', prompt: '(ca-certificate-map)#', parent: 'config', config: true },
  'ca-trustpool': { id: 'ca-trustpool', prompt: '(ca-trustpool)#', parent: 'config', config: true },
};

/** A certificate whose hex lines are being typed (`certificate ca 01` … `quit`). */
export interface PendingCertificate {
  kind: ChainCertKind;
  serial: string;
  hex: string[];
}

/** What the current sub-mode edits. */
export interface ModeTarget {
  trustpoint?: string;
  profile?: string;
  chain?: string;
  cert?: PendingCertificate;
}

export interface ModeFrame {
  mode: ModeId;
  target: ModeTarget;
}
