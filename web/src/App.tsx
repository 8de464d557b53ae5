import { useI18n } from './i18n/I18nProvider';
import { StatusPage } from './pages/StatusPage';

export function App() {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="app">
      <header>
        <h1>
          {t('app.title')} <small>{t('app.subtitle')}</small>
        </h1>
        <nav>
          <a href="#/status">{t('nav.status')}</a>
        </nav>
        <button
          type="button"
          data-testid="lang-switch"
          onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
        >
          {t('lang.switch')}
        </button>
      </header>
      <main>
        <StatusPage />
      </main>
    </div>
  );
}
