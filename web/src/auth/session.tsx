import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { grantsCover } from '../../../server/identity/permissions';
import { api, ApiError } from '../api/client';
import { useI18n } from '../i18n/I18nProvider';

interface Me {
  user: { username: string; displayName: string };
  permissions: string[];
}

/** The logged-in user, or null when there is no session (401). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Me>('/api/v1/auth/me');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    retry: false,
  });
}

/** Whether the user's grants (which may use `*`) cover a permission; hides actions the server would refuse. */
export function useCan(permission: string): boolean {
  const me = useMe();
  return me.data ? grantsCover(me.data.permissions, permission) : false;
}

export function LoginForm() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () =>
      api('/api/v1/auth/login', { method: 'POST', body: { username, password, transport: 'cookie' } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['me'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <form className="login" onSubmit={submit}>
      <h2>{t('login.heading')}</h2>
      <label>
        {t('login.username')}
        <input
          data-testid="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="username"
        />
      </label>
      <label>
        {t('login.password')}
        <input
          data-testid="password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
        />
      </label>
      <button type="submit" data-testid="login" disabled={login.isPending}>
        {t('login.submit')}
      </button>
      {login.isError && (
        <p role="alert" data-testid="login-error">
          {login.error instanceof ApiError && login.error.status === 401
            ? t('login.failed')
            : login.error.message}
        </p>
      )}
    </form>
  );
}

export function UserMenu({ me }: { me: Me }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const logout = useMutation({
    mutationFn: () => api('/api/v1/auth/logout', { method: 'POST' }),
    onSettled: () => queryClient.setQueryData(['me'], null),
  });
  return (
    <span className="user">
      <span data-testid="current-user">{me.user.displayName}</span>
      <button type="button" data-testid="logout" onClick={() => logout.mutate()}>
        {t('login.logout')}
      </button>
    </span>
  );
}
