// @vitest-environment happy-dom
/** @jsxImportSource preact */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryPersonalWordStore } from '../../src/engine/personal-words';
import { OptionsApp } from '../../src/options/OptionsApp';
import { createPersonalWordsApi, filterWords } from '../../src/options/personal-words';
import { createSettingsStore } from '../../src/storage/settings';
import { createMemoryStorageArea } from '../../src/storage/storage-area';

const container = () => document.getElementById('root')!;
afterEach(() => {
  const root = document.getElementById('root');
  if (root) render(null, root);
  document.body.innerHTML = '';
});
const tick = () => act(async () => void (await new Promise((r) => setTimeout(r, 5))));

async function mount() {
  document.body.innerHTML = '<div id="root"></div>';
  const store = createSettingsStore(createMemoryStorageArea({ settings: { version: 1, sites: { 'a.test': false } } }));
  const words = new MemoryPersonalWordStore();
  await words.add('Zorblax');
  let notified = 0;
  const api = createPersonalWordsApi(Promise.resolve(words), () => notified++);
  await act(async () => render(<OptionsApp store={store} words={api} lexicons={{ en: 'English' }} />, container()));
  await tick();
  const $ = <T extends Element = HTMLInputElement>(sel: string) => container().querySelector(sel) as unknown as T;
  const change = async (sel: string, value: string) => {
    const el = $(sel);
    el.value = value;
    await act(async () => void el.dispatchEvent(new Event('change', { bubbles: true })));
    await tick();
  };
  return { store, words, $, change, notified: () => notified };
}

describe('OptionsApp', () => {
  it('should save settings at once, clamped to their limits', async () => {
    const m = await mount();
    await m.change('#beamSize', '8');
    await m.change('#priorWeight', '99');
    await m.change('#theme', 'dark');
    expect(await m.store.load()).toMatchObject({ beamSize: 8, priorWeight: 5, theme: 'dark' });
    // a cleared beam or λ goes back to the model's own value
    await m.change('#beamSize', '');
    await m.change('#priorWeight', ' ');
    expect(await m.store.load()).toMatchObject({ beamSize: null, priorWeight: null });
    expect((m.$('#beamSize') as HTMLInputElement).placeholder).toBe("model's default");
  });

  it('should list, add, delete personal words and forget a site', async () => {
    const m = await mount();
    expect([...container().querySelectorAll('#words li')].map((li) => (li as HTMLElement).dataset.word)).toEqual(['Zorblax']);
    const add = m.$('#word-add');
    add.value = 'Qwop';
    await act(async () => void add.dispatchEvent(new Event('input', { bubbles: true })));
    await act(async () => void m.$<HTMLButtonElement>('#word-add-button').click());
    await tick();
    expect((await m.words.list()).map((w) => w.word)).toEqual(['Qwop', 'Zorblax']);
    expect(m.notified()).toBe(1);
    await act(async () => void m.$<HTMLButtonElement>('#words li[data-word="Zorblax"] button').click());
    await tick();
    expect((await m.words.list()).map((w) => w.word)).toEqual(['Qwop']);
    await act(async () => void m.$<HTMLButtonElement>('#sites li[data-site="a.test"] button').click());
    await tick();
    expect((await m.store.load()).sites).toEqual({});
  });

  it('should filter words case-insensitively', () => {
    const w = (word: string) => ({ word, lastUsed: 0, count: 1 });
    expect(filterWords([w('Hello'), w('world')], 'HEL').map((x) => x.word)).toEqual(['Hello']);
    expect(filterWords([w('a')], '  ')).toHaveLength(1);
  });
});
