"""Builders for authoring tests: articles created the way the editor creates them (each call
commits, as the editor's view does)."""
from kb_portal import transaction
from kb_portal.kb.editing import ArticleInput, create_article, revision_content, save_article


def draft(actor, slug="refund-rules", category="sop", body="## 步骤\n第一步", **fields):
    """A new draft article written by ``actor``."""
    note = fields.pop("note", "first")
    data = ArticleInput(title=fields.pop("title", "退款规则"), slug=slug, category_key=category,
                        body=body, **fields)
    article = create_article(data, actor, note=note)
    transaction.commit()
    return article


def edit(article, actor, note="changed", base=None, **changes):
    """Save ``changes`` on top of the head (or ``base``) as ``actor``."""
    head = article.head_revision
    values = {**revision_content(head), "slug": article.slug, "owner": article.owner,
              "review_by": article.review_by, **changes}
    data = ArticleInput(**values)
    try:
        rev = save_article(article, data, actor, base or head.id, note=note)
    except Exception:
        transaction.rollback()
        raise
    transaction.commit()
    return rev


def act(service, *args, **kwargs):
    """Call a service and commit as a view would (roll back and re-raise on error)."""
    try:
        result = service(*args, **kwargs)
    except Exception:
        transaction.rollback()
        raise
    transaction.commit()
    return result
