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


# --- The staff area (portal/staff.py, portal/staff_pages.py) ---------------------------------------
TEXT.update({
    "st_off": {"zh-Hant": "員工專區未開啟。請設定 KB_STAFF_PASSWORD_HASH（python -m portal hash-password）。",
               "zh-Hans": "员工专区未开启。请设置 KB_STAFF_PASSWORD_HASH（python -m portal hash-password）。",
               "en": "The staff area is switched off. Set KB_STAFF_PASSWORD_HASH "
                     "(python -m portal hash-password) to turn it on."},
    "st_password": {"zh-Hant": "員工密碼", "zh-Hans": "员工密码", "en": "Staff password"},
    "st_sign_in": {"zh-Hant": "登入", "zh-Hans": "登录", "en": "Sign in"},
    "st_sign_out": {"zh-Hant": "登出", "zh-Hans": "退出登录", "en": "Sign out"},
    "st_your_name": {"zh-Hant": "您的名字（每項變更都會記錄）", "zh-Hans": "您的名字（每项变更都会记录）",
                     "en": "Your name (recorded with every change)"},
    "st_tab_overview": {"zh-Hant": "總覽", "zh-Hans": "总览", "en": "Overview"},
    "st_tab_failed": {"zh-Hant": "未解決的搜尋", "zh-Hans": "未解决的搜索", "en": "Failed searches"},
    "st_tab_no": {"zh-Hant": "「沒有幫助」回饋", "zh-Hans": "“没有帮助”反馈", "en": "\"No\" feedback"},
    "st_tab_changes": {"zh-Hant": "變更紀錄", "zh-Hans": "变更记录", "en": "Changes"},
    "st_tab_problems": {"zh-Hant": "內容問題", "zh-Hans": "内容问题", "en": "Content problems"},
    "st_tab_preview": {"zh-Hant": "預覽文章", "zh-Hans": "预览文章", "en": "Preview an article"},
    "st_log_down": {"zh-Hant": "目前無法讀取搜尋紀錄，請查看伺服器記錄。", "zh-Hans": "目前无法读取搜索记录，请查看服务器日志。",
                    "en": "The search log cannot be read right now; see the server log."},
    "st_period": {"zh-Hant": "期間", "zh-Hans": "期间", "en": "Period"},
    "st_per": {"zh-Hant": "統計單位", "zh-Hans": "统计单位", "en": "Count per"},
    "st_per_day": {"zh-Hant": "日", "zh-Hans": "日", "en": "day"},
    "st_per_week": {"zh-Hant": "週", "zh-Hans": "周", "en": "week"},
    "st_nothing": {"zh-Hant": "這段期間沒有資料。", "zh-Hans": "这段期间没有数据。", "en": "Nothing in this period."},
    "st_download": {"zh-Hant": "下載 {name}", "zh-Hans": "下载 {name}", "en": "Download {name}"},
    "st_searches": {"zh-Hant": "搜尋次數", "zh-Hans": "搜索次数", "en": "Searches"},
    "st_answered": {"zh-Hant": "自助解決", "zh-Hans": "自助解决", "en": "Answered without a person"},
    "st_share": {"zh-Hant": "自助解決比例", "zh-Hans": "自助解决比例", "en": "Self-service share"},
    "st_failed": {"zh-Hant": "未解決", "zh-Hans": "未解决", "en": "Failed"},
    "st_definition_title": {"zh-Hant": "「未解決」的定義", "zh-Hans": "“未解决”的定义",
                            "en": "What counts as a failed search"},
    "st_definition": {
        "zh-Hant": "符合任一項即算未解決：\n- 搜尋表示不確定（或沒有結果）；\n- 客戶對答案按了「沒有幫助」；\n"
                   "- 同一工作階段在 {seconds} 秒內改用其他說法再問（且沒有按「有幫助」）；\n"
                   "- 答案出現後 {minutes} 分鐘內、再次搜尋之前，點了電話、線上客服或服務據點。\n\n"
                   "沒有打開文章**不算**未解決：答案已直接顯示。自助解決比例 = 沒有未解決的搜尋 ÷ 全部搜尋，"
                   "兩個數字用同一套定義。",
        "zh-Hans": "符合任一项即算未解决：\n- 搜索表示不确定（或没有结果）；\n- 客户对答案点了“没有帮助”；\n"
                   "- 同一会话在 {seconds} 秒内换个说法再问（且没有点“有帮助”）；\n"
                   "- 答案出现后 {minutes} 分钟内、再次搜索之前，点了电话、在线客服或服务网点。\n\n"
                   "没有打开文章**不算**未解决：答案已直接显示。自助解决比例 = 未失败的搜索 ÷ 全部搜索，"
                   "两个数字用同一套定义。",
        "en": "A search failed when any of these holds:\n- search said it was unsure (or found nothing);\n"
              "- the customer answered \"No\" to \"was this helpful?\";\n"
              "- the same session asked again in other words within {seconds} seconds (without saying "
              "\"Yes\" first);\n- the session clicked phone, chat or branch within {minutes} minutes after the "
              "answer, before searching again.\n\nNot opening the article is **not** a failure: the answer is "
              "shown inline. Self-service share = searches that did not fail ÷ all searches; both figures use "
              "these rules."},
    "st_searches_per_day": {"zh-Hant": "每日搜尋與未解決", "zh-Hans": "每日搜索与未解决", "en": "Searches per day"},
    "st_searches_per_week": {"zh-Hant": "每週搜尋與未解決", "zh-Hans": "每周搜索与未解决", "en": "Searches per week"},
    "st_per_language": {"zh-Hant": "各語言的搜尋", "zh-Hans": "各语言的搜索", "en": "Searches per language"},
    "st_per_category": {"zh-Hant": "各類別的搜尋（依答案的類別）", "zh-Hans": "各类别的搜索（按答案的类别）",
                        "en": "Searches per category (of the answer)"},
    "st_failed_share_by": {"zh-Hant": "整段期間的合計與未解決比例：", "zh-Hans": "整段期间的合计与未解决比例：",
                           "en": "Totals for the period, with the failed share:"},
    "st_top_queries": {"zh-Hant": "熱門搜尋", "zh-Hans": "热门搜索", "en": "Top queries"},
    "st_helpful_article": {"zh-Hant": "各文章的有幫助比例", "zh-Hans": "各文章的有帮助比例",
                           "en": "Helpfulness per article"},
    "st_helpful_category": {"zh-Hant": "各類別的有幫助比例", "zh-Hans": "各类别的有帮助比例",
                            "en": "Helpfulness per category"},
    "st_grouping": {
        "zh-Hant": "依語意分組：scikit-learn 階層式分群（平均連結、餘弦距離），依據每個問句的向量加上搜尋排出的主題；"
                   "分群門檻 {distance}，以 {queries} 句調校問句中的同義問法選出（成對精確率 {precision}、召回率 {recall}）。",
        "zh-Hans": "按语义分组：scikit-learn 层次聚类（平均链接、余弦距离），依据每个问句的向量加上搜索排出的主题；"
                   "分组阈值 {distance}，用 {queries} 句调校问句中的同义问法选出（成对精确率 {precision}、召回率 {recall}）。",
        "en": "Grouped by meaning: scikit-learn agglomerative clustering (average linkage, cosine distance) over "
              "each query's embedding joined with the topics search ranks for it; groups are cut at distance "
              "{distance}, chosen on the paraphrases among {queries} tuning queries (pairwise precision "
              "{precision}, recall {recall})."},
    "st_failed_groups": {"zh-Hant": "未解決的搜尋（依語意分組）", "zh-Hans": "未解决的搜索（按语义分组）",
                         "en": "Failed searches, grouped by meaning"},
    "st_export": {"zh-Hant": "下載為標註問句（JSONL，給 QA）", "zh-Hans": "下载为标注问句（JSONL，给 QA）",
                  "en": "Download as labelled queries for QA (JSONL)"},
    "st_pick_group": {"zh-Hant": "選擇一組", "zh-Hans": "选择一组", "en": "Pick a group"},
    "st_asked_as": {"zh-Hant": "客戶的問法：", "zh-Hans": "客户的问法：", "en": "Asked as:"},
    "st_act": {"zh-Hant": "處理這組問題", "zh-Hans": "处理这组问题", "en": "Fix it"},
    "st_confirm": {"zh-Hant": "確認既有問答", "zh-Hans": "确认已有问答", "en": "Confirm an existing Q/A"},
    "st_synonym": {"zh-Hant": "新增同義詞", "zh-Hans": "新增同义词", "en": "Add a synonym"},
    "st_draft": {"zh-Hant": "新文章草稿", "zh-Hans": "新文章草稿", "en": "Start a new article"},
    "st_answer": {"zh-Hant": "正確的問答", "zh-Hans": "正确的问答", "en": "The Q/A that answers these questions"},
    "st_confirm_button": {"zh-Hant": "確認這個答案", "zh-Hans": "确认这个答案", "en": "Confirm this answer"},
    "st_synonym_words": {"zh-Hant": "同一語言、意思相同的詞，以逗號分隔", "zh-Hans": "同一语言、意思相同的词，用逗号分隔",
                         "en": "Words of one language that mean the same, separated by commas"},
    "st_synonym_button": {"zh-Hant": "加入同義詞", "zh-Hans": "加入同义词", "en": "Add these synonyms"},
    "st_category": {"zh-Hant": "類別", "zh-Hans": "类别", "en": "Category"},
    "st_draft_button": {"zh-Hant": "建立草稿", "zh-Hans": "创建草稿", "en": "Start the draft"},
    "st_measuring": {"zh-Hant": "正在計算調校問句的指標…", "zh-Hans": "正在计算调校问句的指标…",
                     "en": "Measuring the tuning queries…"},
    "st_done": {"zh-Hant": "完成：{summary}", "zh-Hans": "完成：{summary}", "en": "Done: {summary}"},
    "st_effect": {"zh-Hant": "效果：{summary}", "zh-Hans": "效果：{summary}", "en": "Effect: {summary}"},
    "st_not_yet": {"zh-Hant": "索引還沒更新（通常幾秒內會自動更新）。", "zh-Hans": "索引还没更新（通常几秒内会自动更新）。",
                   "en": "The index has not picked this up yet (it re-indexes by itself within seconds)."},
    "st_refresh": {"zh-Hant": "重新整理", "zh-Hans": "刷新", "en": "Refresh"},
    "st_fixed": {"zh-Hant": "{total} 個問句中有 {fixed} 個現在由這個問答回答。",
                 "zh-Hans": "{total} 个问句中有 {fixed} 个现在由这个问答回答。",
                 "en": "{fixed} of {total} queries are now answered by this Q/A."},
    "st_tune": {"zh-Hant": "調校問句（{queries} 句）變更前後的指標：", "zh-Hans": "调校问句（{queries} 句）变更前后的指标：",
                "en": "Tuning queries ({queries}) before and after:"},
    "st_no_article": {"zh-Hant": "文章", "zh-Hans": "文章", "en": "Article"},
    "st_all": {"zh-Hant": "全部", "zh-Hans": "全部", "en": "All"},
    "st_no_title": {"zh-Hant": "「沒有幫助」的原因與意見（最新在前）", "zh-Hans": "“没有帮助”的原因与意见（最新在前）",
                    "en": "Reasons and comments behind \"No\", newest first"},
    "st_pick_no": {"zh-Hant": "處理其中一則", "zh-Hans": "处理其中一条", "en": "Act on one of them"},
    "st_history_where": {"zh-Hant": "每項變更都寫在內容資料夾的 staff-actions.jsonl 與 learned-questions.yml、"
                                     "synonyms.yml 或草稿檔，隨內容一起版本管理。",
                         "zh-Hans": "每项变更都写在内容文件夹的 staff-actions.jsonl 与 learned-questions.yml、"
                                    "synonyms.yml 或草稿文件，随内容一起版本管理。",
                         "en": "Every change is written to staff-actions.jsonl in the content folder and to "
                               "learned-questions.yml, synonyms.yml or the draft file: versioned with the content."},
    "st_history": {"zh-Hant": "變更紀錄", "zh-Hans": "变更记录", "en": "Changes made here"},
    "st_pick_action": {"zh-Hant": "選擇一項變更", "zh-Hans": "选择一项变更", "en": "Pick a change"},
    "st_undo": {"zh-Hant": "復原這項變更", "zh-Hans": "撤销这项变更", "en": "Undo this change"},
    "st_failing": {"zh-Hant": "目前無法使用的檔案", "zh-Hans": "目前无法使用的文件", "en": "Files that fail right now"},
    "st_failing_count": {"zh-Hant": "{files} 個檔案有錯誤：客戶看到的是上一個正常版本，新檔案則不會顯示。",
                         "zh-Hans": "{files} 个文件有错误：客户看到的是上一个正常版本，新文件则不会显示。",
                         "en": "{files} file(s) have errors: customers see their last good version, or nothing "
                               "for a new file."},
    "st_no_failing": {"zh-Hant": "所有檔案都通過檢查。", "zh-Hans": "所有文件都通过检查。", "en": "Every file passes the check."},
    "st_drafts": {"zh-Hant": "草稿（還有範本文字，不會顯示給客戶）", "zh-Hans": "草稿（还有模板文字，不会显示给客户）",
                  "en": "Drafts (template text left; customers do not see them)"},
    "st_preview_file": {"zh-Hant": "文章檔案", "zh-Hans": "文章文件", "en": "Article file"},
    "st_problems": {"zh-Hant": "問題", "zh-Hans": "问题", "en": "Problems"},
    "st_passes": {"zh-Hant": "沒有問題：這篇文章通過檢查。", "zh-Hans": "没有问题：这篇文章通过检查。",
                  "en": "No problems: this article passes the check."},
})
