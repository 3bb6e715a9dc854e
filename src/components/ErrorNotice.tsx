import type { AppError } from '../app-error';
import { errorDetails, remedyFor } from '../error-remedies';

/** The current error: what happened, what to do, and its particulars one click away. A cancelled
 * download is a notice, not an alarm. */
export function ErrorNotice({ error }: { error: AppError }) {
  const remedy = remedyFor(error);
  const details = errorDetails(error);
  const body = (
    <>
      {error.message}
      {remedy && <span className="remedy"> {remedy}</span>}
      {details.length > 0 && (
        <details className="error-details">
          <summary>Details</summary>
          <dl>
            {details.map(([label, text]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{text}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </>
  );
  return error.name === 'DownloadCancelledError' ? (
    <div className="notice" role="note" data-error={error.name}>
      {body}
    </div>
  ) : (
    <div className="error" role="alert" data-error={error.name}>
      {body}
    </div>
  );
}
