import { render } from 'preact';
import { browser } from 'wxt/browser';
import { IdbPersonalWordStore } from '@/src/engine/personal-store-idb';
import { createClient } from '@/src/messaging/client';
import { sendViaRuntime } from '@/src/messaging/runtime-transport';
import { MODEL_NAME } from '@/src/host/model';
import { OptionsApp } from '@/src/options/OptionsApp';
import { createPersonalWordsApi, onPersonalWordsChanged } from '@/src/options/personal-words';
import { createSettingsStore } from '@/src/storage/settings';
import type { StorageAreaLike } from '@/src/storage/storage-area';

const client = createClient({ send: sendViaRuntime, target: 'background', idPrefix: 'options' });
const engineStatus = async (): Promise<string> => {
  const r = await client.request('status', {});
  return r.ok ? `Model ${MODEL_NAME}: ${r.value.model}${r.value.detail ? ` (${r.value.detail})` : ''}` : `Model ${MODEL_NAME}: ${r.error.message}`;
};

render(
  <OptionsApp
    store={createSettingsStore(browser.storage.local as unknown as StorageAreaLike)}
    words={createPersonalWordsApi(IdbPersonalWordStore.open())}
    lexicons={{ en: `English (${MODEL_NAME} model's word list)` }}
    engineStatus={engineStatus}
    onWordsChanged={onPersonalWordsChanged}
  />,
  document.getElementById('app')!,
);
