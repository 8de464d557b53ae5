import { en, zhCN } from '../../web/src/i18n/messages.js';

const HAN = /\p{Script=Han}/u;

test('every text is translated: no empty text in either language', () => {
  for (const messages of [zhCN, en]) {
    expect(Object.entries(messages).filter(([, text]) => text.trim() === '')).toEqual([]);
  }
});

test('no Chinese text was left in the English messages (except the switch back to Chinese)', () => {
  const untranslated = Object.entries(en).filter(([key, text]) => key !== 'lang.switch' && HAN.test(text));
  expect(untranslated).toEqual([]);
});
