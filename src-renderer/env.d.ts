/// <reference types="vite/client" />
import type { BridgeApi } from '../src-app-api/client';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Present only in Electron, exposed by src-preload. */
    tinyflow?: BridgeApi;
  }
}
