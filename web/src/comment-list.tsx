'use client';
import type { Comment } from '@live-comments/client';
import { Time } from './time';

interface CommentListProps {
  comments: readonly Comment[];
  /** The signed-in user, whose comments get a delete button. */
  user: string | undefined;
  onDelete: (comment: Comment) => void;
}

/** A post's comments in `seq` order (usePostComments keeps them so), their bodies as text. */
export const CommentList = ({ comments, user, onDelete }: CommentListProps) => (
  <ol className="comments" data-testid="comments" aria-label="Comments">
    {comments.map((comment) => (
      <li
        key={comment.id}
        className="comment"
        data-testid="comment"
        data-comment-id={comment.id}
        data-seq={comment.seq}
      >
        <p className="meta">
          <strong data-testid="comment-author">{comment.authorId}</strong> · <Time iso={comment.createdAt} />
          {comment.authorId === user && (
            <button
              type="button"
              className="link danger"
              data-testid="comment-delete"
              aria-label={`Delete your comment of ${comment.createdAt}`}
              onClick={() => onDelete(comment)}
            >
              delete
            </button>
          )}
        </p>
        <p className="text" data-testid="comment-body">
          {comment.body}
        </p>
      </li>
    ))}
  </ol>
);
