/**
 * Which routes to a PIV token this browser and page allow, why not, and what the user would need
 * — for `show crypto pki token` and the Tokens view. Pure over an environment snapshot, so every
 * combination is unit-tested; `currentEnvironment()` takes the snapshot from the browser.
 *
 * The facts (Chromium, 2026): WebUSB refuses to claim interface class 0x0B (smart card) and
 * blocklists YubiKeys for ordinary pages; an Isolated Web App with the `usb-unrestricted`
 * permission may (Chromium 128+). The Web Smart Card API (`navigator.smartCard`) is IWA-only and
 * has a PC/SC backend on ChromeOS only. WebHID and WebAuthn cannot reach PIV keys.
 */
import { IWA_REASON, webUsbAvailable } from './usb/webusb.ts';

export interface TokenEnvironment {
  /** location.protocol === 'isolated-app:' */
  isolatedApp: boolean;
  secureContext: boolean;
  /** 'usb' in navigator */
  webUsb: boolean;
  /** the permissions policy allows 'usb-unrestricted' (IWA manifests grant it) */
  usbUnrestricted: boolean;
  /** 'smartCard' in navigator */
  smartCardApi: boolean;
  /** the page's origin, for messages */
  origin: string;
  /** Linux/ChromeOS/Windows/macOS hint for the advice (navigator.platform-ish) */
  platform: string;
}

export type RouteId = 'webusb-ccid' | 'web-smart-card';

export interface RouteReport {
  route: RouteId;
  title: string;
  available: boolean;
  /** why not (or what it does, when available) */
  reason: string;
  /** what the user would need */
  needs: string[];
}

function allowsFeature(name: string): boolean {
  const d = typeof document !== 'undefined' ? (document as unknown as { featurePolicy?: { allowsFeature(f: string): boolean }; permissionsPolicy?: { allowsFeature(f: string): boolean } }) : undefined;
  const p = d?.permissionsPolicy ?? d?.featurePolicy;
  try {
    return !!p?.allowsFeature(name);
  } catch {
    return false;
  }
}

export function currentEnvironment(): TokenEnvironment {
  const loc = typeof location !== 'undefined' ? location : undefined;
  return {
    isolatedApp: loc?.protocol === 'isolated-app:',
    secureContext: typeof isSecureContext !== 'undefined' ? isSecureContext : false,
    webUsb: webUsbAvailable(),
    usbUnrestricted: allowsFeature('usb-unrestricted'),
    smartCardApi: typeof navigator !== 'undefined' && 'smartCard' in navigator,
    origin: loc?.origin && loc.origin !== 'null' ? loc.origin : (loc?.href ?? 'this page'),
    platform: typeof navigator !== 'undefined' ? ((navigator as unknown as { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform ?? '') : '',
  };
}

const LINUX_NEEDS = [
  'on Linux: read/write access to the token\'s USB device for your user (a udev rule such as Yubico\'s 70-u2f / 69-yubikey rules)',
  'on Linux: pcscd stopped (or its CCID driver told to leave the token alone), because only one program can claim the interface',
];

export function tokenRoutes(env: TokenEnvironment): RouteReport[] {
  const linux = /linux|cros|chrome ?os/i.test(env.platform);
  const usb: RouteReport = { route: 'webusb-ccid', title: 'WebUSB (CCID reader / token)', available: false, reason: '', needs: [] };
  if (!env.webUsb) {
    usb.reason = env.secureContext ? 'this browser has no WebUSB (Chromium-based browsers have it)' : `WebUSB needs a secure context, and ${env.origin} is not one`;
    usb.needs = ['Chromium (or Chrome, Edge)', 'the installed Trustpoint Isolated Web App'];
  } else if (!env.isolatedApp) {
    usb.reason = `${IWA_REASON}; ${env.origin} is a plain web page`;
    usb.needs = ['the Trustpoint Isolated Web App installed (npm run build:iwa; README "Tokens")', 'CCID enabled on the token (YubiKey: ykman config usb --enable CCID)', ...(linux ? LINUX_NEEDS : [])];
  } else if (!env.usbUnrestricted) {
    usb.reason = 'this Isolated Web App was not granted "usb-unrestricted" (Chromium 128+ and the app\'s permissions policy grant it)';
    usb.needs = ['Chromium 128 or later', 'the permission allowed for the app (chrome://settings/content/usbDevices)'];
  } else {
    usb.available = true;
    usb.reason = 'an installed Isolated Web App with usb-unrestricted: the token\'s CCID interface can be claimed';
    usb.needs = ['CCID enabled on the token (YubiKey: ykman config usb --enable CCID)', ...(linux ? LINUX_NEEDS : [])];
  }
  const sc: RouteReport = { route: 'web-smart-card', title: 'Web Smart Card API (PC/SC)', available: false, reason: '', needs: [] };
  if (env.smartCardApi && env.isolatedApp) {
    sc.available = true;
    sc.reason = 'navigator.smartCard is present: the platform\'s PC/SC readers are used';
    sc.needs = ['the "smart-card" permission allowed for the app'];
  } else if (env.smartCardApi) {
    sc.reason = 'navigator.smartCard is present, but only Isolated Web Apps may use it';
    sc.needs = ['the Trustpoint Isolated Web App installed'];
  } else {
    sc.reason = 'this browser has no navigator.smartCard (today only ChromeOS has a PC/SC backend for it, in Isolated Web Apps)';
    sc.needs = ['ChromeOS with the Trustpoint Isolated Web App, or the WebUSB route'];
  }
  return [usb, sc];
}

/** One paragraph for the plain PWA: why tokens need the installed app. */
export function whyNoToken(env: TokenEnvironment): string {
  const r = tokenRoutes(env);
  if (r.some((x) => x.available)) return '';
  return `Hardware tokens (PIV, e.g. a YubiKey) are not reachable from ${env.origin}: ${r[0]!.reason}. The Web Smart Card API: ${r[1]!.reason}. WebHID and WebAuthn cannot reach PIV keys. Install the Trustpoint Isolated Web App (README, "Tokens") to use a token.`;
}
