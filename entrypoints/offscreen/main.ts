import { listenOnRuntime } from '@/src/messaging/runtime-transport';
import { createEngineHost } from '@/src/host/engine-host';

// Chrome's engine host. Only the background may address it: content scripts (which have a
// sender.tab) reach the engine through the background, which validates and routes.
listenOnRuntime('host', (sender) => sender.tab === undefined, createEngineHost('offscreen'));
