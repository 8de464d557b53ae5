/** UI text. zh-CN is the default and the source of keys; English must cover every key. */
export const zhCN = {
  'app.title': '云枢',
  'app.subtitle': '政务云多云管理与安全运营平台',
  'nav.status': '系统状态',
  'lang.switch': 'English',
  'status.heading': '系统状态',
  'status.liveness': '服务存活',
  'status.readiness': '就绪检查',
  'status.store': '数据存储',
  'status.ok': '正常',
  'status.unavailable': '不可用',
  'status.loading': '加载中…',
  'status.checkedAt': '检查时间',
  'status.version': '版本',
  'status.error': '无法连接服务器',
  'login.heading': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '用户名或密码错误',
  'login.logout': '退出登录',
} as const;

export type MessageKey = keyof typeof zhCN;
export type Messages = Record<MessageKey, string>;

export const en: Messages = {
  'app.title': 'Yunshu',
  'app.subtitle': 'Government multi-cloud management and security operations',
  'nav.status': 'System status',
  'lang.switch': '中文',
  'status.heading': 'System status',
  'status.liveness': 'Liveness',
  'status.readiness': 'Readiness',
  'status.store': 'Data store',
  'status.ok': 'OK',
  'status.unavailable': 'Unavailable',
  'status.loading': 'Loading…',
  'status.checkedAt': 'Checked at',
  'status.version': 'Version',
  'status.error': 'Cannot reach the server',
  'login.heading': 'Log in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.failed': 'Wrong username or password',
  'login.logout': 'Log out',
};

export const LOCALES = { 'zh-CN': zhCN as Messages, en } as const;
export type Locale = keyof typeof LOCALES;
