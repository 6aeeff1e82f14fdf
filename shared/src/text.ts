/**
 * What user text may hold. Any Unicode text is welcome (emoji, CJK,
 * right-to-left scripts, combining marks, astral symbols) except what AWS
 * cannot carry on the way to the subscribers: SQS refuses the noncharacters
 * U+FFFE and U+FFFF in a message body (JSON leaves them unescaped, so a
 * comment holding one would be stored but its event never delivered), and
 * an unpaired surrogate is no character at all (DynamoDB stores UTF-8, which
 * cannot encode one). Refusing them at the door keeps "nothing stored goes
 * unannounced" true.
 */
const UNDELIVERABLE = /[\uFFFE\uFFFF]|\p{Cs}/u;

export const isDeliverableText = (text: string): boolean => !UNDELIVERABLE.test(text);

export const UNDELIVERABLE_TEXT_MESSAGE =
  'contains a character that cannot be stored or delivered (U+FFFE, U+FFFF or an unpaired surrogate)';
