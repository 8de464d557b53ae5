import { LoginForm, UserMenu, useMe } from './auth/session';
import { useI18n } from './i18n/I18nProvider';
import { StatusPage } from './pages/StatusPage';

export function App() {
  const { t, locale, setLocale } = useI18n();
  const me = useMe();
  return (
    <div className="app">
      <header>
        <h1>
          {t('app.title')} <small>{t('app.subtitle')}</small>
        </h1>
        <nav>
          <a href="#/status">{t('nav.status')}</a>
        </nav>
        {me.data && <UserMenu me={me.data} />}
        <button
          type="button"
          data-testid="lang-switch"
          onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
        >
          {t('lang.switch')}
        </button>
      </header>
      <main>
        {me.data === null && <LoginForm />}
        <StatusPage />
      </main>
    </div>
  );
}
