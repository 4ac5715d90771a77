"""Interface text in the three languages, and choosing the language for a visitor."""
from __future__ import annotations

LANGS = ("zh-Hant", "zh-Hans", "en")
LANG_NAMES = {"zh-Hant": "繁體中文", "zh-Hans": "简体中文", "en": "English"}
# What the browser's speech synthesis calls each language, for "read aloud".
SPEECH = {"zh-Hant": "zh-TW", "zh-Hans": "zh-CN", "en": "en-US"}

TEXT: dict[str, dict[str, str]] = {
    "bank": {"zh-Hant": "曜光銀行 客服中心", "zh-Hans": "曜光银行 帮助中心", "en": "Lumina Bank Help Centre"},
    "ask": {"zh-Hant": "請問您想找什麼？", "zh-Hans": "请问您想找什么？", "en": "What can we help you with?"},
    "ask_hint": {"zh-Hant": "例如：卡片遺失、忘記密碼、轉帳限額", "zh-Hans": "例如：银行卡丢了、忘记密码、转账限额",
                 "en": "For example: lost card, forgot password, transfer limit"},
    "search": {"zh-Hant": "搜尋", "zh-Hans": "搜索", "en": "Search"},
    "language": {"zh-Hant": "語言", "zh-Hans": "语言", "en": "Language"},
    "elder_mode": {"zh-Hant": "長輩模式（大字）", "zh-Hans": "长辈模式（大字）", "en": "Elder mode (large text)"},
    "high_contrast": {"zh-Hant": "高對比", "zh-Hans": "高对比", "en": "High contrast"},
    "popular": {"zh-Hant": "熱門問題", "zh-Hans": "热门问题", "en": "Popular topics"},
    "categories": {"zh-Hant": "依類別瀏覽", "zh-Hans": "按类别浏览", "en": "Browse by category"},
    "answer": {"zh-Hant": "最佳解答", "zh-Hans": "最佳解答", "en": "Best answer"},
    "from_article": {"zh-Hant": "出自：", "zh-Hans": "出自：", "en": "From: "},
    "read_whole": {"zh-Hant": "閱讀全文", "zh-Hans": "阅读全文", "en": "Read the whole article"},
    "why": {"zh-Hant": "符合的字詞：", "zh-Hans": "匹配的词：", "en": "Why this answer: "},
    "related": {"zh-Hant": "相關文章", "zh-Hans": "相关文章", "en": "Related articles"},
    "more_results": {"zh-Hant": "其他可能的文章", "zh-Hans": "其他可能的文章", "en": "Other articles that may help"},
    "unsure": {"zh-Hant": "抱歉，我們不太確定找到的是您要的答案。以下是最接近的文章，您也可以直接找專人協助。",
               "zh-Hans": "抱歉，我们不太确定找到的是您要的答案。以下是最接近的文章，您也可以直接联系人工客服。",
               "en": "Sorry, we're not sure we found the right answer. Here are the closest articles, "
                     "or you can talk to a person."},
    "closest": {"zh-Hant": "最接近的文章", "zh-Hans": "最接近的文章", "en": "Closest articles"},
    "empty": {"zh-Hant": "請輸入您的問題，例如「卡片遺失怎麼辦」。", "zh-Hans": "请输入您的问题，例如“银行卡丢了怎么办”。",
              "en": "Please type your question, for example \"I lost my card\"."},
    "truncated": {"zh-Hant": "您的問題很長，我們只用了前面的部分來搜尋。", "zh-Hans": "您的问题很长，我们只用了前面的部分来搜索。",
                  "en": "Your question was very long, so we searched with the first part of it."},
    "reach_person": {"zh-Hant": "找專人協助", "zh-Hans": "联系人工客服", "en": "Talk to a person"},
    "call_us": {"zh-Hant": "打電話給我們", "zh-Hans": "给我们打电话", "en": "Call us"},
    "call_now": {"zh-Hant": "立即撥打", "zh-Hans": "立即拨打", "en": "Call now"},
    "chat": {"zh-Hant": "線上客服", "zh-Hans": "在线客服", "en": "Online chat"},
    "open_chat": {"zh-Hant": "開啟線上客服", "zh-Hans": "打开在线客服", "en": "Open the chat"},
    "branch": {"zh-Hant": "服務據點", "zh-Hans": "服务网点", "en": "Visit a service centre"},
    "find_branch": {"zh-Hant": "查看服務據點", "zh-Hans": "查看服务网点", "en": "Find a service centre"},
    "from_abroad": {"zh-Hant": "國外請撥", "zh-Hans": "境外请拨", "en": "From abroad"},
    "helpful": {"zh-Hant": "這個回答有幫助嗎？", "zh-Hans": "这个回答有帮助吗？", "en": "Was this helpful?"},
    "helpful_article": {"zh-Hant": "這篇文章有幫助嗎？", "zh-Hans": "这篇文章有帮助吗？", "en": "Was this article helpful?"},
    "yes": {"zh-Hant": "有幫助", "zh-Hans": "有帮助", "en": "Yes"},
    "no": {"zh-Hant": "沒有幫助", "zh-Hans": "没有帮助", "en": "No"},
    "why_not": {"zh-Hant": "哪裡不夠好？", "zh-Hans": "哪里不够好？", "en": "What went wrong?"},
    "reason_wrong": {"zh-Hant": "不是我要問的", "zh-Hans": "不是我要问的", "en": "It doesn't answer my question"},
    "reason_unclear": {"zh-Hant": "看不懂", "zh-Hans": "看不懂", "en": "It's hard to understand"},
    "reason_outdated": {"zh-Hant": "內容有誤或過時", "zh-Hans": "内容有误或过时", "en": "It's wrong or out of date"},
    "reason_didnt_work": {"zh-Hant": "照做了但沒用", "zh-Hans": "照做了但没用", "en": "I followed it but it didn't work"},
    "comment": {"zh-Hant": "想補充說明嗎？（選填，請勿填寫卡號、身分證字號等個人資料）",
                "zh-Hans": "想补充说明吗？（选填，请勿填写卡号、身份证号等个人信息）",
                "en": "Anything to add? (optional; please don't include card numbers or other personal details)"},
    "send": {"zh-Hant": "送出", "zh-Hans": "提交", "en": "Send"},
    "thanks": {"zh-Hant": "謝謝您的回饋！", "zh-Hans": "谢谢您的反馈！", "en": "Thank you for your feedback!"},
    "read_aloud": {"zh-Hant": "🔊 朗讀", "zh-Hans": "🔊 朗读", "en": "🔊 Read aloud"},
    "stop_reading": {"zh-Hant": "停止朗讀", "zh-Hans": "停止朗读", "en": "Stop reading"},
    "back": {"zh-Hant": "← 回到首頁", "zh-Hans": "← 回到首页", "en": "← Back to the help centre"},
    "other_languages": {"zh-Hant": "其他語言：", "zh-Hans": "其他语言：", "en": "Other languages: "},
    "updated": {"zh-Hant": "更新日期", "zh-Hans": "更新日期", "en": "Updated"},
    "not_found": {"zh-Hant": "找不到這篇文章。它可能已經移除了。", "zh-Hans": "找不到这篇文章。它可能已经删除了。",
                  "en": "We couldn't find that article. It may have been removed."},
    "updating": {"zh-Hant": "說明內容正在更新中，請稍後再試；如需協助，請直接聯絡我們。",
                 "zh-Hans": "帮助内容正在更新，请稍后再试；如需帮助，请直接联系我们。",
                 "en": "Our help pages are being updated right now. Please try again in a few minutes, "
                       "or contact us and a person will help you."},
    "error": {"zh-Hant": "系統暫時出了點問題，請稍後再試，或直接聯絡我們。", "zh-Hans": "系统暂时出了点问题，请稍后再试，或直接联系我们。",
              "en": "Something went wrong on our side. Please try again in a moment, or contact us."},
    "in_category": {"zh-Hant": "類別：", "zh-Hans": "类别：", "en": "Category: "},
    "staff": {"zh-Hant": "員工專區", "zh-Hans": "员工专区", "en": "Staff area"},
    # The customer portal (issue 14): titles, top tasks, contact strip, clarify, elder choices.
    "home_title": {"zh-Hant": "客服中心", "zh-Hans": "帮助中心", "en": "Help Centre"},
    "top_tasks": {"zh-Hant": "常用服務", "zh-Hans": "常用服务", "en": "Top tasks"},
    "settings": {"zh-Hant": "顯示設定", "zh-Hans": "显示设置", "en": "Display settings"},
    "working": {"zh-Hant": "正在為您找答案…", "zh-Hans": "正在为您查找答案…", "en": "Finding your answer…"},
    "answer_found": {"zh-Hant": "已找到解答：", "zh-Hans": "已找到解答：", "en": "Answer found: "},
    "did_you_mean": {"zh-Hant": "請問您是指哪一個？", "zh-Hans": "请问您指的是哪一个？", "en": "Did you mean…?"},
    "did_you_mean_hint": {"zh-Hant": "有幾個答案都很接近，請選一個最符合您問題的。",
                          "zh-Hans": "有几个答案都很接近，请选一个最符合您问题的。",
                          "en": "A few answers are close. Choose the one that fits your question best."},
    "elder_unsure": {"zh-Hant": "抱歉，我們不確定哪個是您要的答案。請選一個最接近的，或直接打電話給我們。",
                     "zh-Hans": "抱歉，我们不确定哪个是您要的答案。请选一个最接近的，或直接给我们打电话。",
                     "en": "Sorry, we're not sure which answer you need. Choose the closest one, or call us."},
    "no_results": {"zh-Hant": "抱歉，我們找不到相關的說明。您可以換個說法再試一次，或直接找專人協助。",
                   "zh-Hans": "抱歉，我们找不到相关的说明。您可以换个说法再试一次，或直接联系人工客服。",
                   "en": "Sorry, we couldn't find any help on that. Try other words, or talk to a person."},
    "too_many": {"zh-Hant": "您查詢得有點快，請稍等一分鐘再試；急事請直接打電話給我們。",
                 "zh-Hans": "您查询得有点快，请稍等一分钟再试；急事请直接给我们打电话。",
                 "en": "You're asking faster than we can keep up. Please wait a minute and try again, "
                       "or call us if it's urgent."},
    "back_to_answer": {"zh-Hant": "← 回到解答", "zh-Hans": "← 回到解答", "en": "← Back to your answer"},
    "thanks_more": {"zh-Hant": "還是沒找到嗎？以下答案也許有幫助，或請直接找專人協助。",
                    "zh-Hans": "还是没找到吗？以下答案也许有帮助，或请直接联系人工客服。",
                    "en": "Still stuck? These answers may help, or talk to a person."},
    "contact_strip": {"zh-Hant": "需要專人協助？", "zh-Hans": "需要人工帮助？", "en": "Need to talk to someone?"},
    "category_articles": {"zh-Hant": "此類別的文章", "zh-Hans": "此类别的文章", "en": "Articles in this category"},
    "task_card-lost-freeze": {"zh-Hant": "凍結、掛失或補發卡片", "zh-Hans": "冻结、挂失或补办银行卡",
                              "en": "Freeze, report or replace a lost card"},
    "task_login-forgot-password": {"zh-Hant": "重設密碼，重新登入", "zh-Hans": "重设密码，重新登录",
                                   "en": "Reset your password and sign in again"},
    "task_transfer-limits": {"zh-Hant": "查看與調整轉帳額度", "zh-Hans": "查看和调整转账额度",
                             "en": "See and change how much you can send"},
    "task_transfer-not-arrived": {"zh-Hant": "追蹤還沒到帳的轉帳", "zh-Hans": "追踪还没到账的转账",
                                  "en": "Track a transfer that hasn't arrived"},
    "task_fraud-scam-calls": {"zh-Hant": "辨識並通報詐騙電話", "zh-Hans": "识别并举报诈骗电话",
                              "en": "Spot and report scam calls"},
    "task_account-open-online": {"zh-Hant": "線上開戶，免跑分行", "zh-Hans": "线上开户，不用跑网点",
                                 "en": "Open an account online"},
}


def t(key: str, lang: str) -> str:
    entry = TEXT[key]
    return entry.get(lang) or entry["en"]


def from_locale(locale: str | None) -> str:
    """Our language for a browser locale such as zh-TW, zh-Hans-CN or en-GB."""
    value = (locale or "").replace("_", "-").lower()
    if value.startswith("zh"):
        if "hans" in value or value.endswith(("-cn", "-sg", "-my")) or value == "zh":
            return "zh-Hans"
        return "zh-Hant"
    return "en"


def valid_lang(value: str | None) -> str | None:
    return value if value in LANGS else None
