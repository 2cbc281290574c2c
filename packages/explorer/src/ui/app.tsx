import { useState } from 'preact/hooks';
import { parseTraceId } from './lib/search-query.ts';
import { traceHref } from './lib/routes.ts';
import { setPrefs, usePrefs } from './prefs.ts';
import { Link, navigate, useRoute } from './router.tsx';
import { SearchPage } from './pages/search/search-page.tsx';
import { TracePage } from './pages/trace/trace-page.tsx';
import { ShortcutHelp } from './components/shortcut-help.tsx';
import { ServiceMapPage } from './pages/map/service-map-page.tsx';
import { ComparePage } from './pages/compare/compare-page.tsx';
import { OpenFilePage } from './pages/upload/open-file-page.tsx';
import './styles/app.css';

function TraceIdBox() {
  const [value, setValue] = useState('');
  const [bad, setBad] = useState(false);
  return (
    <form
      class="tw-findid"
      onSubmit={(e) => {
        e.preventDefault();
        const id = parseTraceId(value);
        setBad(!id);
        if (id) {
          setValue('');
          navigate(traceHref(id));
        }
      }}
    >
      <input
        aria-label="Find trace by id"
        name="traceId"
        placeholder="Find by trace id…"
        value={value}
        class={bad ? 'invalid' : ''}
        title={bad ? 'A trace id is up to 32 hex digits' : undefined}
        onInput={(e) => {
          setValue(e.currentTarget.value);
          setBad(false);
        }}
      />
    </form>
  );
}

export function App() {
  const route = useRoute();
  const prefs = usePrefs();
  return (
    <div class="tw-app">
      <header class="tw-topbar">
        <Link href="/search" class="tw-logo">
          <span class="tw-logo-mark">◆</span> Tracewire
        </Link>
        <nav>
          <Link href="/search" class={route.page === 'search' ? 'active' : ''}>
            Search
          </Link>
          <Link href="/map" class={route.page === 'map' ? 'active' : ''}>
            Service map
          </Link>
          <Link href="/compare" class={route.page === 'compare' ? 'active' : ''}>
            Compare
          </Link>
          <Link href="/open" class={route.page === 'open' ? 'active' : ''}>
            Open file
          </Link>
        </nav>
        <div class="tw-topbar-right">
          <TraceIdBox />
          <button class="tw-toggle tw-help-button" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" onClick={() => window.dispatchEvent(new KeyboardEvent('keydown', { key: '?' }))}>
            ?
          </button>
          <button
            class="tw-toggle"
            title="Show times in local time or UTC"
            onClick={() => setPrefs({ tz: prefs.tz === 'utc' ? 'local' : 'utc' })}
          >
            {prefs.tz === 'utc' ? 'UTC' : 'Local time'}
          </button>
          <button
            class="tw-toggle"
            title="Toggle dark theme"
            aria-label="Toggle dark theme"
            onClick={() => setPrefs({ theme: prefs.theme === 'dark' ? 'light' : 'dark' })}
          >
            {prefs.theme === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      <main class="tw-main">
        {route.page === 'search' && <SearchPage query={route.query} tz={prefs.tz} />}
        {route.page === 'trace' && (
          <TracePage key={route.traceId} traceId={route.traceId} spanId={route.spanId} view={route.view} tz={prefs.tz} />
        )}
        {route.page === 'map' && <ServiceMapPage query={route.query} />}
        {route.page === 'compare' && <ComparePage a={route.a} b={route.b} />}
        {route.page === 'open' && <OpenFilePage />}
        {route.page === 'notfound' && (
          <div class="tw-empty">
            Nothing at <code>{route.path}</code>. <Link href="/search">Go to search</Link>
          </div>
        )}
      </main>
      <ShortcutHelp />
    </div>
  );
}
