"""Inputs that must never break search: Whoosh syntax, markup, injection, odd Unicode, size."""
HOSTILE = [
    '"', '"unbalanced', "'", "''", "AND", "OR", "NOT", "a AND b", "NOT 退款", "退款 OR",
    "title:退款", "body:*", "tags:refund", "title:", "*", "?", "**", "*退款*", "(", ")",
    "((退款", "退款)", "[", "]", "{", "}", "[1 TO 9]", "{a TO}", "~", "^2", "退款^3",
    "refund~2", "\\", "/", ":", ";", "&&", "||", "!", "-", "+", "--", "-退款", "+退款",
    "<script>alert(1)</script>", "<b>", "&amp;", "javascript:alert(1)",
    "'; DROP TABLE article; --", "1 OR 1=1", "%", "%%", "%00", "\x00", "\x01\x02",
    "😀", "🙂退款😀", "ｒｅｆｕｎｄ", "ＡＮＤ", "ＹＦ－Ｓ２", "\u200b", "\ufeff退款",
    "𠀀𠀁", "ß", "İstanbul", "a" * 1000, "退" * 1000, "退款 " * 200, " ", "\t\n", "NULL",
    "None", "e-", "-e", "E--102", "...", "…", "／", "＊", "{{7*7}}", "${7*7}",
    "q=1&limit=abc", "\\u0000", "٣٤٥", "ﷺ", "\u202e退款",
]
