/** @jsxImportSource preact */
/**
 * The options page. Every change is saved at once (settings to storage.local, which every
 * content script and the background observe; personal words to IndexedDB), so it applies
 * without a reload.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PersonalWord } from '../engine/personal-words';
import { LAYOUTS, LIMITS, THEMES, isModelDefaultKey, type Settings, type SettingsStore } from '../storage/settings';
import { filterWords, type PersonalWordsApi } from './personal-words';

export interface OptionsAppProps {
  store: SettingsStore;
  words: PersonalWordsApi;
  /** the lexicons this build ships (id -> label) */
  lexicons: Record<string, string>;
  /** subscribes to personal-word changes made elsewhere (the keyboard learning); returns unsubscribe */
  onWordsChanged?: (cb: () => void) => () => void;
  /** e.g. "model dev-random: ready" */
  engineStatus?: () => Promise<string>;
}

type NumKey = 'beamSize' | 'priorWeight' | 'suggestionCount' | 'keyboardHeight';

export function OptionsApp({ store, words, lexicons, engineStatus, onWordsChanged }: OptionsAppProps) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [list, setList] = useState<PersonalWord[]>([]);
  const [query, setQuery] = useState('');
  const [newWord, setNewWord] = useState('');
  const [io, setIo] = useState('');
  const [message, setMessage] = useState('');
  const [status, setStatus] = useState('');

  const reloadWords = async () => setList(await words.list());
  useEffect(() => {
    void store.load().then(setSettings);
    const off = store.subscribe(setSettings);
    void reloadWords().catch((e: unknown) => setMessage(`Personal words unavailable: ${String(e)}`));
    void engineStatus?.().then(setStatus);
    const offWords = onWordsChanged?.(() => void reloadWords());
    return () => {
      off();
      offWords?.();
    };
  }, []);

  const save = async (patch: Partial<Settings>) => {
    setSettings(await store.save(patch));
    setMessage('Saved');
  };
  const shown = useMemo(() => filterWords(list, query), [list, query]);
  if (!settings) return <p>Loading…</p>;

  // beamSize / priorWeight may be null: the model's own value; an empty input saves null
  const num = (key: NumKey, label: string, step = 1) => (
    <label class="row">
      <span>{label}</span>
      <input
        id={key}
        type="number"
        min={LIMITS[key].min}
        max={LIMITS[key].max}
        step={step}
        value={settings[key] ?? ''}
        placeholder={settings[key] === null ? "model's default" : undefined}
        onChange={(e) => {
          const v = (e.target as HTMLInputElement).value.trim();
          void save({ [key]: v === '' && isModelDefaultKey(key) ? null : Number(v) });
        }}
      />
    </label>
  );
  const sites = Object.entries(settings.sites).sort(([a], [b]) => a.localeCompare(b));

  return (
    <main>
      <h1>SwipeAnywhere options</h1>
      <p class="note" id="engine-status">{status}</p>

      <section>
        <h2>Decoding</h2>
        <label class="row">
          <span>Lexicon</span>
          <select id="lexicon" value={settings.lexicon} onChange={(e) => void save({ lexicon: (e.target as HTMLSelectElement).value })}>
            {Object.entries(lexicons).map(([id, label]) => (
              <option value={id}>{label}</option>
            ))}
          </select>
        </label>
        {num('beamSize', "Beam size (wider: slower, sometimes more accurate; empty: the model's)")}
        {num('priorWeight', "Word-frequency weight (empty: the model's, tuned with it)", 0.05)}
        {num('suggestionCount', 'Suggestions shown')}
      </section>

      <section>
        <h2>Keyboard</h2>
        <label class="row">
          <span>Layout</span>
          <select id="layout" value={settings.layout} onChange={(e) => void save({ layout: (e.target as HTMLSelectElement).value as Settings['layout'] })}>
            {LAYOUTS.map((l) => (
              <option value={l}>{l.toUpperCase()}</option>
            ))}
          </select>
        </label>
        {num('keyboardHeight', 'Key area height (px)')}
        <label class="row">
          <span>Theme</span>
          <select id="theme" value={settings.theme} onChange={(e) => void save({ theme: (e.target as HTMLSelectElement).value as Settings['theme'] })}>
            {THEMES.map((t) => (
              <option value={t}>{t === 'system' ? 'Same as the system' : t[0]!.toUpperCase() + t.slice(1)}</option>
            ))}
          </select>
        </label>
      </section>

      <section>
        <h2>Sites</h2>
        <label class="row">
          <span>Offer the keyboard on sites not listed below</span>
          <input id="enabledByDefault" type="checkbox" checked={settings.enabledByDefault} onChange={(e) => void save({ enabledByDefault: (e.target as HTMLInputElement).checked })} />
        </label>
        <p class="note">The toolbar button or Alt+Shift+K turns the keyboard on or off for a site; the choice is listed here.</p>
        <ul id="sites">
          {sites.length === 0 ? <li class="note">No site choices yet.</li> : null}
          {sites.map(([host, on]) => (
            <li data-site={host}>
              <span>{host}</span> <span class="note">{on ? 'on' : 'off'}</span>{' '}
              <button
                type="button"
                aria-label={`Forget ${host}`}
                onClick={() => {
                  const next = { ...settings.sites };
                  delete next[host];
                  void save({ sites: next });
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>Personal words</h2>
        <p class="note">Words you accepted or added. They are kept only in this browser and preferred when you swipe.</p>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void words.add(newWord).then(async (added) => {
              setMessage(added ? `Added “${newWord.trim()}”` : 'Not a single word');
              if (added) setNewWord('');
              await reloadWords();
            });
          }}
        >
          <input id="word-add" placeholder="Add a word" value={newWord} onInput={(e) => setNewWord((e.target as HTMLInputElement).value)} />
          <button id="word-add-button" type="submit">Add</button>
        </form>
        <input id="word-search" type="search" placeholder="Search" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <p class="note" id="word-count">{list.length} word{list.length === 1 ? '' : 's'}</p>
        <ul id="words">
          {shown.map((w) => (
            <li data-word={w.word}>
              <span>{w.word}</span> <span class="note">×{w.count}</span>{' '}
              <button type="button" aria-label={`Delete ${w.word}`} onClick={() => void words.remove(w.word).then(reloadWords)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
        <details>
          <summary>Import / export</summary>
          <textarea id="words-io" rows={8} cols={40} value={io} onInput={(e) => setIo((e.target as HTMLTextAreaElement).value)} placeholder="one word per line" />
          <div class="row">
            <button id="words-export" type="button" onClick={() => void words.exportText().then((t) => (setIo(t), downloadText(t)))}>
              Export
            </button>
            <button id="words-import" type="button" onClick={() => void words.importText(io).then(async (n) => (setMessage(`Imported ${n} words`), await reloadWords()))}>
              Import from the box
            </button>
          </div>
        </details>
        <button
          id="words-clear"
          type="button"
          onClick={() => {
            if (confirm('Delete all personal words?')) void words.clear().then(reloadWords);
          }}
        >
          Clear all personal words
        </button>
      </section>
      <p role="status" id="message" class="note">{message}</p>
    </main>
  );
}

function downloadText(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'swipe-anywhere-personal-words.txt';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
