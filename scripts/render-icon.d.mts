/** Types for scripts/render-icon.mjs. */
export declare const ICON_DIR: string;
export declare const ICON_SIZES: number[];
export declare function renderIcon(size: number): Buffer;
export declare function iconPath(size: number): string;
