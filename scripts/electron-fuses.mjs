#!/usr/bin/env node
// Electron fuses for a packaged tinyflow studio, flipped in the binary itself so no environment
// variable or flag can turn them back: no ELECTRON_RUN_AS_NODE, no NODE_OPTIONS, no --inspect, cookies
// encrypted, the app loaded only from its asar and that asar checked against its embedded hash, and no
// extra privileges for file:// (the page is served from app://).
//
//   node scripts/electron-fuses.mjs <path to the Electron binary or .app>   flips and verifies
//   electron-builder: "afterPack": "scripts/electron-fuses.mjs"               (the default export)
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fuse's byte in the wire: ASCII '1' enabled, '0' disabled (@electron/fuses does not export its FuseState). */
const ENABLED = 0x31;
const DISABLED = 0x30;

/** The fuse settings, by name: true = enabled. */
export const STUDIO_FUSES = Object.freeze({
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
});

/** Flips the fuses in `binary` (an Electron executable, or a macOS .app), reads them back and throws if any did not take. */
export async function hardenElectronBinary(binary, { resetAdHocDarwinSignature = false } = {}) {
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature };
  for (const [name, enabled] of Object.entries(STUDIO_FUSES)) config[FuseV1Options[name]] = enabled;
  await flipFuses(binary, config);
  const wire = await getCurrentFuseWire(binary);
  const wrong = Object.entries(STUDIO_FUSES).filter(([name, enabled]) => wire[FuseV1Options[name]] !== (enabled ? ENABLED : DISABLED));
  if (wrong.length > 0) {
    const names = wrong.map(([name]) => `${name} (state ${String(wire[FuseV1Options[name]])})`).join(', ');
    throw new Error(`electron-fuses: ${binary}: these fuses did not take (the binary's wire is too short or marks them removed): ${names}`);
  }
  return Object.fromEntries(Object.keys(STUDIO_FUSES).map((name) => [name, wire[FuseV1Options[name]] === ENABLED]));
}

/** The packaged Electron binary electron-builder's afterPack context points at. */
export function packagedBinary(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return path.join(appOutDir, packager.executableName);
}

/** electron-builder's afterPack hook. */
export default async function afterPack(context) {
  const darwin = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';
  await hardenElectronBinary(packagedBinary(context), { resetAdHocDarwinSignature: darwin });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const binary = process.argv[2];
  if (!binary) {
    console.error('usage: node scripts/electron-fuses.mjs <path to the Electron binary or .app>');
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await hardenElectronBinary(binary), null, 2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
