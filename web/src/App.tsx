import { lazy, Suspense } from 'react';
import { LoginForm, UserMenu, useMe } from './auth/session';
import { useI18n } from './i18n/I18nProvider';
import { AlertsPage } from './pages/AlertsPage';
import { IncidentDetail } from './pages/IncidentDetail';
import { IncidentsPage } from './pages/IncidentsPage';
import { RulesPage } from './pages/RulesPage';
import { StatusPage } from './pages/StatusPage';
import type { Route } from './routing/hash';
import { useHashRoute } from './routing/useHashRoute';

// recharts is by far the largest dependency; only the dashboard pays for it.
const MttxDashboard = lazy(() => import('./pages/MttxDashboard'));

/** The page of a route; every page but the status page needs a session. */
function RoutePage({ route }: { route: Route }) {
  switch (route.page) {
    case 'status':
      return <StatusPage />;
    case 'alerts':
      return <AlertsPage query={route.query} />;
    case 'incidents':
      return <IncidentsPage query={route.query} />;
    case 'incident':
      return <IncidentDetail id={route.id ?? ''} />;
    case 'mttx':
      return <MttxDashboard query={route.query} />;
    case 'rules':
      return <RulesPage />;
  }
}

export function App() {
  const { t, locale, setLocale } = useI18n();
  const me = useMe();
  const route = useHashRoute();
  return (
    <div className="app">
      <header>
        <h1>
          {t('app.title')} <small>{t('app.subtitle')}</small>
        </h1>
        <nav>
          <a href="#/status">{t('nav.status')}</a>
          <a href="#/alerts">{t('nav.alerts')}</a>
          <a href="#/incidents">{t('nav.incidents')}</a>
          <a href="#/mttx">{t('nav.mttx')}</a>
          <a href="#/rules">{t('nav.rules')}</a>
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
        {route.page === 'status' || me.data ? (
          <Suspense fallback={<p>{t('common.loading')}</p>}>
            <RoutePage route={route} />
          </Suspense>
        ) : (
          me.data === null && <p>{t('common.loginRequired')}</p>
        )}
      </main>
    </div>
  );
}
