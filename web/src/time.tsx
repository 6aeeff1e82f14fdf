import { formatTime } from './format';

export const Time = ({ iso }: { iso: string }) => (
  <time dateTime={iso} title={iso}>
    {formatTime(iso)}
  </time>
);
