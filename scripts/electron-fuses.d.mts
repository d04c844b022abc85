/** Types for scripts/electron-fuses.mjs (a plain ES module, so electron-builder can load it as a hook). */
export declare const STUDIO_FUSES: Readonly<Record<
  | 'RunAsNode'
  | 'EnableCookieEncryption'
  | 'EnableNodeOptionsEnvironmentVariable'
  | 'EnableNodeCliInspectArguments'
  | 'EnableEmbeddedAsarIntegrityValidation'
  | 'OnlyLoadAppFromAsar'
  | 'GrantFileProtocolExtraPrivileges',
  boolean
>>;
export declare function hardenElectronBinary(binary: string, options?: { resetAdHocDarwinSignature?: boolean }): Promise<Record<keyof typeof STUDIO_FUSES, boolean>>;
export interface AfterPackContext {
  electronPlatformName: string;
  appOutDir: string;
  packager: { appInfo: { productFilename: string }; executableName: string };
}
export declare function packagedBinary(context: AfterPackContext): string;
export default function afterPack(context: AfterPackContext): Promise<void>;
