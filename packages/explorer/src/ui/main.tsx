import { render } from 'preact';
import { App } from './app.tsx';
import { applyTheme, initialTheme } from './prefs.ts';
import './styles/base.css';

applyTheme(initialTheme());
render(<App />, document.getElementById('app')!);
