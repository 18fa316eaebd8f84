#!/usr/bin/env python
"""Benchmark: fineadvisor's `analyze_logs` against the OpenAI cookbook's per-message token-counting loop.

One run:
  1. generates (or reuses) two deterministic fine-tuning logs in benchmarks/data/:
     - a repetitive one (default 100,000 records, ~3,000 o200k tokens each, ~90 % of input tokens a shared
       prefix: 3 system prompts with 5 fixed few-shot pairs each, then a unique query and reply), and
     - a no-repetition one (default records/5, every system prompt, example, query and reply unique);
  2. runs each method in its own subprocess, sampling the RSS of that process tree every 50 ms;
  3. prints a table against the targets and writes benchmarks/out/bench_profile.json.

Usage:  python benchmarks/bench_profile.py [--records N] [--keep] [--regenerate] [--methods a,b,c,d]
        python benchmarks/bench_profile.py --cprofile 10000   # cProfile of analyze_logs(workers=1)
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import compileall
import contextlib
import importlib
import inspect
import io
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA_DIR = HERE / "data"
OUT_DIR = HERE / "out"
GEN_VERSION = 1
"""Bump when the generator changes, so stale data files are not reused."""
SEED = 1_234_567
ENCODING = "o200k_base"
MODEL = "gpt-4o"
POLL_SECONDS = 0.05
PSS_EVERY = 10
"""Read PSS (smaps_rollup, costlier) every this many RSS polls."""

TARGET_SPEEDUP = 8.0
TARGET_RSS_MB = 600.0
TARGET_NOREP_SPEEDUP = 1.0

# ====================================================================================== text pools

STDLIB_MODULES = (
    "abc", "argparse", "array", "ast", "asyncio", "base64", "bisect", "binascii", "bz2", "calendar", "cmath",
    "codecs", "collections", "colorsys", "concurrent.futures", "configparser", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "difflib", "dis", "doctest", "email", "email.message", "enum", "filecmp",
    "fnmatch", "fractions", "ftplib", "functools", "gettext", "glob", "graphlib", "gzip", "hashlib", "heapq",
    "hmac", "html", "html.parser", "http.client", "http.cookies", "imaplib", "inspect", "io", "ipaddress",
    "itertools", "json", "json.decoder", "keyword", "linecache", "locale", "logging", "logging.handlers", "lzma",
    "mailbox", "mimetypes", "numbers", "operator", "optparse", "os", "pathlib", "pickle", "pickletools", "platform",
    "plistlib", "poplib", "pprint", "pstats", "queue", "quopri", "random", "re", "reprlib", "sched", "secrets",
    "selectors", "shelve", "shlex", "shutil", "signal", "smtplib", "socket", "socketserver", "sqlite3",
    "statistics", "string", "stringprep", "struct", "subprocess", "symtable", "sysconfig", "tabnanny", "tarfile",
    "tempfile", "textwrap", "threading", "timeit", "tokenize", "tomllib", "trace", "traceback", "types", "typing",
    "unittest", "unittest.mock", "urllib.parse", "urllib.request", "uuid", "warnings", "wave", "weakref",
    "xml.dom.minidom", "xml.etree.ElementTree", "zipfile", "zipimport", "zoneinfo"
)

# Hand-written sentences; the CJK and Thai ones are joined without spaces.
MULTILINGUAL: dict[str, tuple[str, ...]] = {
    "ja": (
        "注文番号を確認したところ、商品はすでに倉庫から出荷されています。",
        "このエラーは、設定ファイルのパスが正しくない場合に発生します。",
        "お手数ですが、ログの該当部分を添付していただけますか。",
        "新しいバージョンでは、起動時間が約三割短縮されました。",
        "データベースの接続がタイムアウトしたため、処理が中断されました。",
        "請求書の金額が見積もりと異なる理由を教えてください。",
        "この関数はリストを受け取り、重複を取り除いた新しいリストを返します。",
        "週末のメンテナンス中は、一部の機能がご利用いただけません。",
        "パスワードを再設定するには、登録済みのメールアドレスに届いたリンクを開いてください。",
        "結果をCSV形式で出力し、日付の列で並べ替えてください。",
        "東京と大阪の倉庫では、在庫の数え方が少し違います。",
        "返品の際は、購入時の箱と付属品をすべて同梱してください。",
    ),
    "zh": (
        "我们已经收到您的退款申请，预计三到五个工作日内处理完毕。",
        "这个接口在高并发的情况下会返回超时错误。",
        "请把下面的数据按照城市分组，并计算每组的平均价格。",
        "升级到最新版本后，内存占用明显下降了。",
        "如果配置文件中缺少这个字段，程序会使用默认值。",
        "客户反映手机应用在登录时经常闪退。",
        "请用简洁的语言解释这段代码的作用。",
        "本月的订单量比上个月增长了百分之十二。",
        "日志显示数据库连接在凌晨两点左右中断。",
        "我们建议在生产环境中开启自动备份功能。",
        "发票抬头需要和营业执照上的公司名称一致。",
    ),
    "ko": (
        "주문하신 상품은 내일 오후까지 배송될 예정입니다.",
        "이 함수는 입력 문자열에서 공백을 제거한 뒤 결과를 반환합니다.",
        "로그인할 때마다 인증 오류가 발생한다는 문의가 접수되었습니다.",
        "다음 데이터를 날짜별로 정리해서 표로 보여 주세요.",
        "서버 점검은 토요일 새벽 두 시부터 네 시까지 진행됩니다.",
        "환불 요청은 구매 후 14일 이내에만 가능합니다.",
        "새 버전에서는 검색 속도가 크게 개선되었습니다.",
        "설정 파일의 경로를 다시 확인해 보시기 바랍니다.",
        "이 코드가 왜 무한 루프에 빠지는지 설명해 주시겠어요?",
        "월별 매출 보고서를 요약해 주세요.",
    ),
    "ru": (
        "Ваш заказ передан в службу доставки и прибудет в течение трёх дней.",
        "Эта функция возвращает список уникальных элементов в исходном порядке.",
        "После обновления приложение стало падать при открытии настроек.",
        "Пожалуйста, пришлите полный текст ошибки из журнала.",
        "Сгруппируйте эти записи по городу и посчитайте среднюю цену.",
        "Сервер не отвечает, потому что закончилось место на диске.",
        "Мы рекомендуем хранить пароли только в зашифрованном виде.",
        "Объясните простыми словами, что делает этот фрагмент кода.",
        "Счёт за прошлый месяц был выставлен дважды.",
        "Новая версия библиотеки поддерживает асинхронные запросы.",
    ),
    "ar": (
        "تم شحن طلبك وسيصل خلال ثلاثة أيام عمل.",
        "تُرجع هذه الدالة قائمة جديدة بدون العناصر المكررة.",
        "يرجى إرسال رسالة الخطأ الكاملة من ملف السجل.",
        "توقف التطبيق عن العمل بعد التحديث الأخير.",
        "نوصي بتفعيل المصادقة الثنائية لجميع الحسابات.",
        "هل يمكنك تلخيص تقرير المبيعات لهذا الشهر؟",
        "انقطع الاتصال بقاعدة البيانات بسبب انتهاء المهلة.",
        "يمكن استرداد المبلغ خلال أربعة عشر يومًا من تاريخ الشراء.",
        "رتّب هذه البيانات حسب التاريخ واحسب المجموع لكل يوم.",
        "الإصدار الجديد أسرع بكثير في معالجة الملفات الكبيرة.",
    ),
    "hi": (
        "आपका ऑर्डर भेज दिया गया है और तीन दिनों में पहुँच जाएगा।",
        "यह फ़ंक्शन सूची से दोहराए गए तत्व हटाकर नई सूची लौटाता है।",
        "कृपया लॉग फ़ाइल से पूरा त्रुटि संदेश भेजें।",
        "नवीनतम अपडेट के बाद ऐप बार-बार बंद हो रहा है।",
        "इस कोड का उद्देश्य सरल शब्दों में समझाइए।",
        "डेटाबेस कनेक्शन समय सीमा समाप्त होने के कारण टूट गया।",
        "रिफ़ंड का अनुरोध खरीद के चौदह दिनों के भीतर किया जा सकता है।",
        "इन पंक्तियों को शहर के अनुसार समूहित करें और औसत मूल्य निकालें।",
        "नए संस्करण में खोज की गति काफ़ी बेहतर हुई है।",
        "सर्वर का रखरखाव शनिवार रात दो बजे से चार बजे तक होगा।",
    ),
    "es": (
        "Su pedido ya salió del almacén y llegará en un plazo de tres días hábiles.",
        "Esta función devuelve una lista nueva sin elementos duplicados.",
        "¿Podría enviarnos el mensaje de error completo que aparece en el registro?",
        "Después de la última actualización, la aplicación se cierra al abrir la configuración.",
        "Agrupe estas filas por ciudad y calcule el precio medio de cada grupo.",
        "La conexión con la base de datos se interrumpió por un tiempo de espera agotado.",
        "Recomendamos activar la autenticación en dos pasos para todas las cuentas.",
        "Explique con palabras sencillas qué hace este fragmento de código.",
        "La factura del mes pasado se cobró dos veces en mi tarjeta.",
        "La nueva versión procesa archivos grandes mucho más rápido.",
    ),
    "fr": (
        "Votre commande a été expédiée et devrait arriver d'ici trois jours ouvrés.",
        "Cette fonction renvoie une nouvelle liste sans les éléments en double.",
        "Pourriez-vous nous envoyer le message d'erreur complet tiré du journal ?",
        "Depuis la dernière mise à jour, l'application plante à l'ouverture des paramètres.",
        "Regroupez ces lignes par ville et calculez le prix moyen de chaque groupe.",
        "La connexion à la base de données a été interrompue après un délai d'attente.",
        "Nous recommandons d'activer l'authentification à deux facteurs pour tous les comptes.",
        "Expliquez simplement ce que fait ce morceau de code.",
        "La facture du mois dernier a été débitée deux fois.",
        "La nouvelle version traite les gros fichiers beaucoup plus vite.",
    ),
    "de": (
        "Ihre Bestellung wurde verschickt und sollte innerhalb von drei Werktagen ankommen.",
        "Diese Funktion gibt eine neue Liste ohne doppelte Einträge zurück.",
        "Könnten Sie uns bitte die vollständige Fehlermeldung aus dem Protokoll schicken?",
        "Seit dem letzten Update stürzt die App beim Öffnen der Einstellungen ab.",
        "Gruppieren Sie diese Zeilen nach Stadt und berechnen Sie den Durchschnittspreis.",
        "Die Verbindung zur Datenbank wurde wegen einer Zeitüberschreitung getrennt.",
        "Wir empfehlen, die Zwei-Faktor-Authentifizierung für alle Konten zu aktivieren.",
        "Erklären Sie in einfachen Worten, was dieser Codeausschnitt macht.",
        "Die Rechnung für den letzten Monat wurde zweimal abgebucht.",
        "Die neue Version verarbeitet große Dateien deutlich schneller.",
    ),
    "pt": (
        "Seu pedido foi enviado e deve chegar em até três dias úteis.",
        "Esta função retorna uma nova lista sem itens duplicados.",
        "Você pode enviar a mensagem de erro completa que aparece no log?",
        "Depois da atualização, o aplicativo fecha sozinho ao abrir as configurações.",
        "Agrupe estas linhas por cidade e calcule o preço médio de cada grupo.",
        "A nova versão processa arquivos grandes muito mais rápido.",
    ),
    "it": (
        "Il suo ordine è stato spedito e arriverà entro tre giorni lavorativi.",
        "Questa funzione restituisce una nuova lista senza elementi duplicati.",
        "Potrebbe inviarci il messaggio di errore completo presente nel registro?",
        "Dopo l'ultimo aggiornamento l'applicazione si chiude all'apertura delle impostazioni.",
        "Raggruppa queste righe per città e calcola il prezzo medio di ogni gruppo.",
        "La nuova versione elabora i file di grandi dimensioni molto più velocemente.",
    ),
    "tr": (
        "Siparişiniz kargoya verildi ve üç iş günü içinde teslim edilecek.",
        "Bu fonksiyon, tekrar eden öğeleri çıkarılmış yeni bir liste döndürür.",
        "Günlük dosyasındaki hata mesajının tamamını gönderebilir misiniz?",
        "Son güncellemeden sonra uygulama ayarlar açılırken kapanıyor.",
        "Bu satırları şehre göre gruplayın ve her grubun ortalama fiyatını hesaplayın.",
        "Yeni sürüm büyük dosyaları çok daha hızlı işliyor.",
    ),
    "vi": (
        "Đơn hàng của bạn đã được gửi đi và sẽ đến trong vòng ba ngày làm việc.",
        "Hàm này trả về một danh sách mới không có phần tử trùng lặp.",
        "Bạn có thể gửi toàn bộ thông báo lỗi trong tệp nhật ký không?",
        "Sau bản cập nhật mới nhất, ứng dụng bị thoát khi mở phần cài đặt.",
        "Hãy nhóm các dòng này theo thành phố và tính giá trung bình của mỗi nhóm.",
        "Phiên bản mới xử lý các tệp lớn nhanh hơn nhiều.",
    ),
    "th": (
        "คำสั่งซื้อของคุณถูกจัดส่งแล้วและจะถึงภายในสามวันทำการ",
        "ฟังก์ชันนี้คืนค่ารายการใหม่ที่ไม่มีข้อมูลซ้ำ",
        "กรุณาส่งข้อความแสดงข้อผิดพลาดทั้งหมดจากไฟล์บันทึก",
        "หลังจากอัปเดตล่าสุด แอปปิดตัวเองเมื่อเปิดหน้าการตั้งค่า",
        "เวอร์ชันใหม่ประมวลผลไฟล์ขนาดใหญ่ได้เร็วขึ้นมาก",
    ),
    "he": (
        "ההזמנה שלך נשלחה ותגיע בתוך שלושה ימי עסקים.",
        "הפונקציה הזו מחזירה רשימה חדשה ללא פריטים כפולים.",
        "תוכל לשלוח את הודעת השגיאה המלאה מקובץ היומן?",
        "מאז העדכון האחרון האפליקציה נסגרת כשפותחים את ההגדרות.",
        "הגרסה החדשה מעבדת קבצים גדולים הרבה יותר מהר.",
    ),
    "pl": (
        "Twoje zamówienie zostało wysłane i dotrze w ciągu trzech dni roboczych.",
        "Ta funkcja zwraca nową listę bez zduplikowanych elementów.",
        "Czy możesz przesłać pełny komunikat błędu z pliku dziennika?",
        "Po ostatniej aktualizacji aplikacja zamyka się przy otwieraniu ustawień.",
        "Nowa wersja znacznie szybciej przetwarza duże pliki.",
    ),
    "uk": (
        "Ваше замовлення відправлено, і воно надійде протягом трьох робочих днів.",
        "Ця функція повертає новий список без повторюваних елементів.",
        "Чи можете ви надіслати повне повідомлення про помилку з журналу?",
        "Нова версія значно швидше обробляє великі файли.",
    ),
    "id": (
        "Pesanan Anda sudah dikirim dan akan tiba dalam tiga hari kerja.",
        "Fungsi ini mengembalikan daftar baru tanpa elemen duplikat.",
        "Bisakah Anda mengirimkan pesan kesalahan lengkap dari file log?",
        "Versi baru memproses file besar jauh lebih cepat.",
    ),
}
NO_SPACE_LANGS = frozenset({"ja", "zh", "th"})
LANG_WEIGHTS = {"ja": 3, "zh": 3, "ko": 2, "ru": 2, "ar": 2, "hi": 2, "es": 3, "fr": 3, "de": 3, "pt": 2,
                "it": 1, "tr": 1, "vi": 1, "th": 1, "he": 1, "pl": 1, "uk": 1, "id": 1}

EMOJI = ("✅", "⚠️", "🚀", "📦", "🔧", "💡", "📊", "🔒", "🧪", "📝", "🌍", "⏱️", "💰", "🐍", "❌", "👉", "🎯",
         "📈", "🛠️", "🤖", "🔥", "✨", "📌", "🙏")
CITIES = ("東京", "大阪", "北京", "上海", "서울", "Москва", "Київ", "القاهرة", "دبي", "मुंबई", "दिल्ली", "Madrid",
          "São Paulo", "Paris", "Lyon", "München", "Zürich", "Kraków", "İstanbul", "Hà Nội", "กรุงเทพ", "תל אביב",
          "Jakarta", "Milano", "New York", "Toronto", "Lagos", "Nairobi", "Sydney", "Reykjavík")
PRODUCTS = ("wireless mouse", "USB-C hub", "ノートPC スタンド", "机械键盘", "무선 이어폰", "кофемашина",
            "Kaffeemühle", "lampe de bureau", "mochila impermeable", "chaleira elétrica", "4K monitor",
            "ergonomic chair", "SSD 2TB", "スマートウォッチ", "蓝牙音箱", "réveil connecté", "Wanderschuhe")
STATUSES = ("pending", "shipped", "delivered", "refunded", "cancelled", "on_hold", "failed")
EVENTS = ("login", "logout", "checkout", "page_view", "search", "add_to_cart", "api_error", "export")
QUESTION_OPENERS = (
    "Can you explain what this means in practice?", "Why does this fail on my machine?",
    "Please summarise the following for a non-technical reader.", "What is the difference here?",
    "Review this and tell me what is wrong.", "Extract the important fields from the text below.",
    "How should I handle this case?", "Is this the expected behaviour?", "Rewrite this more concisely.",
    "I keep getting unexpected results, see below.", "Translate the key points into plain English.",
    "Quick question about the docs:", "Our team disagrees about this, who is right?",
    "Give me a checklist based on this.", "What would you recommend?",
)
CODE_OPENERS = ("Here is the code:", "This is the function we use:", "Relevant snippet:", "Current implementation:",
                "The code below is from our service:", "For reference, the stdlib does it like this:")
JSON_OPENERS = ("Here are the rows:", "Input data:", "Sample of the export:", "Records from yesterday:",
                "The API returned:", "Rows to classify:")
ROLES = ("a customer-support assistant", "a senior Python reviewer", "a data-extraction service",
         "a multilingual help-desk agent", "an analytics assistant", "a documentation writer")
COMPANIES = ("Northwind Traders", "Contoso Cloud", "Globex Retail", "Initech Analytics", "Umbrella Logistics",
             "Hooli Payments", "Stark Hardware", "Wayne Foods")
HEADINGS = ("Guidelines", "Background", "Output format", "Tone and style", "Escalation", "Examples of good answers",
            "Data handling", "Languages", "Things to avoid", "Reference", "Security", "Formatting rules")

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_WS = re.compile(r"\s+")


@dataclass
class Pool:
    """Texts with their o200k token counts."""

    texts: list[str] = field(default_factory=list)
    ntok: list[int] = field(default_factory=list)

    def add_all(self, texts: list[str], enc: Any) -> None:
        counts = enc.encode_ordinary_batch(texts, num_threads=2)
        self.texts.extend(texts)
        self.ntok.extend(len(c) for c in counts)

    def sort_by_tokens(self) -> None:
        pairs = sorted(zip(self.ntok, self.texts, strict=True))
        self.ntok = [n for n, _ in pairs]
        self.texts = [t for _, t in pairs]


@dataclass
class Pools:
    prose: Pool
    short: Pool
    """Prose sentences of ≤ 25 tokens, for bullets."""
    code: Pool
    """Stdlib source snippets, sorted by token count."""
    json_rows: Pool
    langs: dict[str, Pool]

    def describe(self) -> dict[str, int]:
        return {"prose_sentences": len(self.prose.texts), "short_sentences": len(self.short.texts),
                "code_snippets": len(self.code.texts), "json_rows": len(self.json_rows.texts),
                "languages": len(self.langs),
                "multilingual_sentences": sum(len(p.texts) for p in self.langs.values())}


def _doc_sentences(doc: str) -> list[str]:
    out: list[str] = []
    for para in doc.split("\n\n"):
        lines = para.splitlines()
        if not lines or any(ln.startswith((" ", "\t", ">>>", "...")) for ln in lines):
            continue  # code examples, tables, indented blocks
        text = _WS.sub(" ", para).strip()
        if "<|" in text or "|>" in text:
            continue
        for s in _SENTENCE_SPLIT.split(text):
            words = s.split()
            if 5 <= len(words) <= 60 and s[-1] in ".!?" and s[0].isupper():
                out.append(s)
    return out


def _stdlib_material() -> tuple[list[str], list[str]]:
    """Docstring sentences and small function sources from a fixed list of stdlib modules (deterministic)."""
    sentences: dict[str, None] = {}
    snippets: dict[str, None] = {}

    def take(obj: Any) -> None:
        doc = inspect.getdoc(obj)
        if doc:
            sentences.update(dict.fromkeys(_doc_sentences(doc)))
        if inspect.isfunction(obj):
            try:
                src = textwrap.dedent(inspect.getsource(obj))
            except (OSError, TypeError):
                return
            n = src.count("\n")
            if 3 <= n <= 30 and "<|" not in src:
                snippets[src.rstrip()] = None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in STDLIB_MODULES:
            try:
                mod = importlib.import_module(name)
            except ImportError:
                continue
            take(mod)
            for attr, obj in sorted(vars(mod).items()):
                if attr.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                    continue
                if inspect.isclass(obj):
                    take(obj)
                    for mname, meth in sorted(vars(obj).items()):
                        if not mname.startswith("_") and inspect.isfunction(meth):
                            take(meth)
                elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
                    take(obj)
    return list(sentences), list(snippets)


def _json_rows(rng: random.Random, n: int) -> list[str]:
    import orjson

    rows: list[str] = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            row: dict[str, Any] = {
                "order_id": f"ORD-{rng.randrange(10**7):07d}",
                "sku": f"{rng.choice('ABCDEFGHK')}{rng.randrange(10**5)}",
                "product": rng.choice(PRODUCTS), "qty": rng.randint(1, 12),
                "unit_price": round(rng.uniform(2, 900), 2), "currency": rng.choice(("EUR", "USD", "JPY", "BRL")),
                "city": rng.choice(CITIES), "status": rng.choice(STATUSES),
                "created_at": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
                              f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
            }
        elif kind == 1:
            row = {"ts": 1_700_000_000 + rng.randrange(30_000_000), "event": rng.choice(EVENTS),
                   "user": f"u_{rng.randrange(10**6)}", "latency_ms": rng.randint(3, 4000),
                   "ok": rng.random() > 0.1, "tags": rng.sample(("mobile", "web", "beta", "eu", "apac", "vip"),
                                                               rng.randint(0, 3))}
        else:
            row = {"id": rng.randrange(10**6), "name": rng.choice(("María José", "Jürgen", "李雷", "佐藤 花子", "Ольга",
                                                                   "Ahmed", "Priya", "Chloé", "Kim Min-jun", "Ayşe")),
                   "city": rng.choice(CITIES), "plan": rng.choice(("free", "pro", "team", "enterprise")),
                   "mrr": round(rng.uniform(0, 5000), 2), "note": rng.choice(PRODUCTS)}
        rows.append(orjson.dumps(row).decode())
    return rows


def build_pools(seed: int) -> Pools:
    """Build every text pool once (a few seconds): stdlib docstrings and sources, JSON rows, multilingual."""
    from fineadvisor.measure.encodings import load_encoding

    enc = load_encoding(ENCODING)
    rng = random.Random(seed)
    sentences, snippets = _stdlib_material()
    prose = Pool()
    prose.add_all(sentences, enc)
    short = Pool()
    for t, n in zip(prose.texts, prose.ntok, strict=True):
        if n <= 25:
            short.texts.append(t)
            short.ntok.append(n)
    code = Pool()
    code.add_all(snippets, enc)
    keep = [i for i, n in enumerate(code.ntok) if 20 <= n <= 260]
    code.texts = [code.texts[i] for i in keep]
    code.ntok = [code.ntok[i] for i in keep]
    code.sort_by_tokens()
    rows = Pool()
    rows.add_all(_json_rows(rng, 6000), enc)
    langs: dict[str, Pool] = {}
    for lang, texts in MULTILINGUAL.items():
        langs[lang] = Pool()
        langs[lang].add_all(list(texts), enc)
    return Pools(prose, short, code, rows, langs)


class Composer:
    """Random text of roughly a target number of tokens, recombined from the pools (estimates: Σ piece tokens)."""

    BLOCKS = ("prose", "code", "json", "bullets", "lang")

    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.p = pools
        self.rng = rng
        self.lang_names = list(LANG_WEIGHTS)
        self.lang_cum = list(_cumulative([LANG_WEIGHTS[k] for k in self.lang_names]))

    def pick_lang(self) -> str:
        r = self.rng.random() * self.lang_cum[-1]
        return self.lang_names[bisect.bisect_right(self.lang_cum, r)]

    def _sentences(self, pool: Pool, budget: int, sep: str = " ") -> tuple[str, int]:
        texts, ntok, rand = pool.texts, pool.ntok, self.rng.randrange
        size = len(texts)
        parts: list[str] = []
        n = 0
        while n < budget:
            i = rand(size)
            parts.append(texts[i])
            n += ntok[i]
        return sep.join(parts), n

    def block(self, kind: str, budget: int, lang: str | None) -> tuple[str, int]:
        rng = self.rng
        if kind == "prose":
            return self._sentences(self.p.prose, min(budget, rng.randint(25, 140)))
        if kind == "code":
            idx = bisect.bisect_right(self.p.code.ntok, max(budget - 8, 0))
            if idx == 0:
                return self.block("prose", budget, lang)
            i = rng.randrange(idx)
            intro = rng.choice(CODE_OPENERS)
            return f"{intro}\n\n```python\n{self.p.code.texts[i]}\n```", self.p.code.ntok[i] + 8
        if kind == "json":
            text, n = self._sentences(self.p.json_rows, min(budget, rng.randint(40, 220)), "\n")
            return f"{rng.choice(JSON_OPENERS)}\n```json\n{text}\n```", n + 8
        if kind == "bullets":
            lines: list[str] = []
            n = 0
            target = min(budget, rng.randint(30, 160))
            texts, ntok = self.p.short.texts, self.p.short.ntok
            while n < target:
                i = rng.randrange(len(texts))
                lines.append(f"- {rng.choice(EMOJI)} {texts[i]}")
                n += ntok[i] + 3
            return "\n".join(lines), n
        lang = lang or self.pick_lang()
        return self._sentences(self.p.langs[lang], min(budget, rng.randint(20, 120)),
                               "" if lang in NO_SPACE_LANGS else " ")

    def compose(self, target: int, weights: tuple[float, ...], lang: str | None = None,
                headings: bool = False) -> tuple[str, int]:
        cum = list(_cumulative(weights))
        rng = self.rng
        parts: list[str] = []
        n = 0
        while n < target:
            kind = self.BLOCKS[bisect.bisect_right(cum, rng.random() * cum[-1])]
            text, k = self.block(kind, target - n, lang)
            if headings and rng.random() < 0.5:
                text = f"## {rng.choice(HEADINGS)}\n{text}"
                k += 4
            parts.append(text)
            n += k + 1
        return "\n\n".join(parts), n


def _cumulative(ws: Any) -> Any:
    total = 0.0
    for w in ws:
        total += w
        yield total


# Block weights (prose, code, json, bullets, lang).
W_SYSTEM = (0.45, 0.08, 0.12, 0.25, 0.10)
W_STYLES = {  # per-record style of a query or reply
    "prose": (0.85, 0.0, 0.0, 0.15, 0.0),
    "code": (0.45, 0.55, 0.0, 0.0, 0.0),
    "json": (0.25, 0.0, 0.75, 0.0, 0.0),
    "multilingual": (0.1, 0.05, 0.05, 0.0, 0.8),
    "bullets": (0.3, 0.0, 0.0, 0.7, 0.0),
}
STYLE_NAMES = tuple(W_STYLES)
STYLE_CUM = list(_cumulative((0.40, 0.20, 0.10, 0.20, 0.10)))


def _style(rng: random.Random) -> str:
    return STYLE_NAMES[bisect.bisect_right(STYLE_CUM, rng.random() * STYLE_CUM[-1])]


def make_system(c: Composer, target: int) -> str:
    rng = c.rng
    head = (f"You are {rng.choice(ROLES)} for {rng.choice(COMPANIES)}. Answer accurately, cite the relevant "
            f"record when you use one, and reply in the user's language.")
    body, _ = c.compose(target - 30, W_SYSTEM, headings=True)
    return f"{head}\n\n{body}"


def make_turn(c: Composer, target: int, *, question: bool, style: str | None = None,
              lang: str | None = None) -> str:
    rng = c.rng
    style = style or _style(rng)
    if style == "multilingual":
        lang = lang or c.pick_lang()
    body, _ = c.compose(max(target - 12, 10), W_STYLES[style], lang=lang)
    if question:
        opener = rng.choice(QUESTION_OPENERS)
        if rng.random() < 0.35:
            opener = f"[ticket #{rng.randrange(10**6, 10**7)}] {opener}"
        return f"{opener}\n\n{body}"
    return body


def make_pairs(c: Composer, total: int, n: int = 5) -> list[tuple[str, str]]:
    rng = c.rng
    pairs = []
    per = total // n
    for _ in range(n):
        u = rng.randint(50, 110)
        style = _style(rng)
        lang = c.pick_lang() if style == "multilingual" else None
        pairs.append((make_turn(c, u, question=True, style=style, lang=lang),
                      make_turn(c, per - u, question=False, style=style, lang=lang)))
    return pairs


# ====================================================================================== data files


@dataclass(frozen=True)
class DataSpec:
    kind: str  # "rep" or "norep"
    records: int
    seed: int

    @property
    def path(self) -> Path:
        return DATA_DIR / f"profile_{self.kind}_{self.records}.jsonl"

    @property
    def sidecar(self) -> Path:
        return self.path.with_suffix(".params.json")

    def params(self) -> dict[str, Any]:
        p: dict[str, Any] = {"generator_version": GEN_VERSION, "kind": self.kind, "records": self.records,
                             "seed": self.seed, "python": platform.python_version()}
        if self.kind == "rep":
            p.update(system_prompts=3, system_tokens=1500, few_shot_pairs=5, few_shot_tokens=1300,
                     query_tokens=[50, 300], reply_tokens=[50, 300], frequent_query_share=0.10,
                     frequent_query_pool=1000)
        else:
            p.update(system_tokens=1500, few_shot_pairs=5, few_shot_tokens=1300, query_tokens=[50, 300],
                     reply_tokens=[50, 300], all_unique=True)
        return p


def reusable(spec: DataSpec) -> bool:
    if not spec.path.exists() or not spec.sidecar.exists():
        return False
    try:
        meta = json.loads(spec.sidecar.read_text())
    except (OSError, ValueError):
        return False
    return bool(meta.get("params") == spec.params() and meta.get("bytes") == spec.path.stat().st_size)


def _unique(seen: set[int], make: Any, rng: random.Random) -> str:
    for _ in range(20):
        text = str(make())
        h = hash(text)
        if h not in seen:
            seen.add(h)
            return text
    text = f"{make()}\n(ref {rng.getrandbits(48):012x})"
    seen.add(hash(text))
    return text


def generate(spec: DataSpec, pools: Pools) -> dict[str, Any]:
    """Write one data file deterministically; returns generation stats (also stored in the sidecar)."""
    import orjson

    from fineadvisor.measure.encodings import load_encoding

    enc = load_encoding(ENCODING)
    rng = random.Random(f"{spec.seed}:{spec.kind}")
    c = Composer(pools, rng)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    tmp = spec.path.with_suffix(".tmp")
    t0 = time.perf_counter()
    seen: set[int] = set()
    stats: dict[str, Any] = {}
    with open(tmp, "wb", buffering=8 * 1024 * 1024) as out:
        if spec.kind == "rep":
            prefixes: list[bytes] = []
            prefix_tokens: list[int] = []
            for _ in range(3):
                system = _unique(seen, lambda: make_system(c, 1500), rng)
                msgs = [{"role": "system", "content": system}]
                for u, a in make_pairs(c, 1300):
                    msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
                prefixes.append(orjson.dumps({"messages": msgs})[:-2] + b",")
                prefix_tokens.append(sum(3 + 1 + len(enc.encode_ordinary(m["content"])) for m in msgs))
            frequent = [_unique(seen, lambda: make_turn(c, rng.randint(50, 300), question=True), rng)
                        for _ in range(1000)]
            freq_cum = list(_cumulative(1.0 / (i + 1) ** 0.7 for i in range(len(frequent))))
            n_frequent = 0
            for _ in range(spec.records):
                t = rng.randrange(3)
                if rng.random() < 0.10:
                    query = frequent[bisect.bisect_right(freq_cum, rng.random() * freq_cum[-1])]
                    n_frequent += 1
                else:
                    query = _unique(seen, lambda: make_turn(c, rng.randint(50, 300), question=True), rng)
                reply = make_turn(c, rng.randint(50, 300), question=False)
                out.write(prefixes[t])
                out.write(orjson.dumps({"role": "user", "content": query}))
                out.write(b',{"role":"assistant","content":')
                out.write(orjson.dumps(reply))
                out.write(b"}]}\n")
            stats.update(prefix_tokens=prefix_tokens, frequent_query_records=n_frequent)
        else:
            for _ in range(spec.records):
                msgs = [{"role": "system", "content": _unique(seen, lambda: make_system(c, 1500), rng)}]
                for u, a in make_pairs(c, 1300):
                    seen.add(hash(u))
                    seen.add(hash(a))
                    msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
                msgs.append({"role": "user",
                             "content": _unique(seen, lambda: make_turn(c, rng.randint(50, 300), question=True),
                                                rng)})
                msgs.append({"role": "assistant", "content": make_turn(c, rng.randint(50, 300), question=False)})
                out.write(orjson.dumps({"messages": msgs}))
                out.write(b"\n")
    os.replace(tmp, spec.path)
    stats.update(seconds=round(time.perf_counter() - t0, 2), bytes=spec.path.stat().st_size)
    spec.sidecar.write_text(json.dumps({"params": spec.params(), "bytes": stats["bytes"], "stats": stats},
                                       indent=2) + "\n")
    return stats


def sample_tokens(path: Path, n: int = 300) -> dict[str, float]:
    """Exact cookbook tokens of the first n records (a quick size check, not a measurement)."""
    from fineadvisor.measure.encodings import load_encoding

    enc = load_encoding(ENCODING)
    totals, prefix = [], []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= n:
                break
            msgs = json.loads(line)["messages"]
            per = [3 + len(enc.encode_ordinary(m["role"])) + len(enc.encode_ordinary(m["content"])) for m in msgs]
            totals.append(sum(per) + 3)
            prefix.append(sum(per[:-2]) / (sum(per[:-1]) + 3))
    return {"mean_tokens_per_record": round(sum(totals) / len(totals), 1),
            "mean_prefix_share_of_input": round(sum(prefix) / len(prefix), 3)}


# ====================================================================================== measured methods


def cookbook_count(path: str) -> dict[str, Any]:
    """The cookbook loop (How_to_count_tokens_with_tiktoken / Chat_finetuning_data_prep): per line json.loads,
    per message 3 + Σ len(enc.encode(value)) over its fields (+1 for a name), +3 per record; one process."""
    from fineadvisor.measure.encodings import load_encoding

    enc = load_encoding(ENCODING)
    tokens_per_message, tokens_per_name = 3, 1
    total = records = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            messages = json.loads(line)["messages"]
            num_tokens = 0
            for message in messages:
                num_tokens += tokens_per_message
                for key, value in message.items():
                    num_tokens += len(enc.encode(value, disallowed_special=()))
                    if key == "name":
                        num_tokens += tokens_per_name
            num_tokens += 3
            total += num_tokens
            records += 1
    return {"records": records, "total_tokens": total}


def fineadvisor_count(path: str, workers: int | None) -> dict[str, Any]:
    import fineadvisor
    from fineadvisor import analyze_logs  # the public name: the same in every version (--baseline-rev)

    res = analyze_logs([path], model=MODEL, workers=workers)
    p, r = res.profile, res.readiness
    return {"fineadvisor_from": str(Path(fineadvisor.__file__).parent), "records": res.records_read,
            "total_tokens": r.tokens_per_example.total,
            "input_tokens_total": p.input_tokens.total, "output_tokens_total": p.output_tokens.total,
            "static_share": round(p.static_share, 4), "templates": p.templates,
            "few_shot_examples": p.few_shot_examples, "records_skipped": res.records_skipped,
            "exact_duplicates": r.exact_duplicates, "encoding": res.encoding}


def child_main(method: str, path: str, out: str, workers: int | None) -> None:
    """Runs inside the measured subprocess; timing includes imports and the encoding load."""
    t0 = time.perf_counter()
    result = cookbook_count(path) if method == "cookbook" else fineadvisor_count(path, workers)
    result["wall_s"] = time.perf_counter() - t0
    self_ru = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/self/status") as fh:
        hwm = next((int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:")), 0)
    result["self_peak_rss_mb"] = hwm / 1024  # VmHWM: this process's own peak, unlike ru_maxrss (see below)
    # ru_maxrss survives fork+exec on Linux, so it can show the benchmark driver's peak: kept for reference only.
    result["self_ru_maxrss_mb"] = self_ru.ru_maxrss / 1024
    result["children_ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["self_cpu_s"] = self_ru.ru_utime + self_ru.ru_stime
    Path(out).write_text(json.dumps(result))


class TreeMonitor(threading.Thread):
    """Samples VmRSS of a process and all its descendants every POLL_SECONDS (PSS every PSS_EVERY polls)."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.stop_event = threading.Event()
        self.peak_sum_kb = 0
        self.peak_max_kb = 0
        self.peak_pss_kb = 0
        self.peak_procs = 0
        self.samples = 0
        self.cpu_ticks: dict[int, int] = {}
        self.hwm_kb: dict[int, int] = {}
        self.cmd: dict[int, str] = {}
        self.ppid: dict[int, int] = {}
        self.seen: set[int] = set()

    def _tree(self) -> list[int]:
        pids, stack = [], [self.root]
        while stack:
            pid = stack.pop()
            pids.append(pid)
            try:
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/children") as fh:
                        stack.extend(int(x) for x in fh.read().split())
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        return pids

    @staticmethod
    def _rss_kb(pid: int) -> tuple[int, int]:
        """(VmRSS, VmHWM) in kB: current and peak resident set of one process (0, 0 once it is gone)."""
        rss = hwm = 0
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                        break
        except (FileNotFoundError, ProcessLookupError):
            pass
        return rss, hwm

    @staticmethod
    def _cmdline(pid: int) -> str:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args = fh.read().split(b"\0")
        except (FileNotFoundError, ProcessLookupError):
            return "?"
        text = " ".join(a.decode(errors="replace") for a in args if a)
        if "--_child" in text:
            return "measured process"
        if "forkserver" in text:
            return "forkserver"
        if "resource_tracker" in text:
            return "resource tracker"
        return text[:80]

    def processes(self) -> list[dict[str, Any]]:
        """Per process: what it is, CPU seconds and peak RSS (forkserver workers show as forks of the forkserver)."""
        tck = os.sysconf("SC_CLK_TCK")

        def what(p: int) -> str:
            w = self.cmd.get(p, "?")
            parent = self.cmd.get(self.ppid.get(p, -1), "")
            return "worker (forked by the forkserver)" if w == parent == "forkserver" else w

        return [{"pid": p, "what": what(p), "cpu_s": round(self.cpu_ticks.get(p, 0) / tck, 2),
                 "peak_rss_mb": round(self.hwm_kb.get(p, 0) / 1024, 1)} for p in sorted(self.seen)]

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
        return 0

    def _cpu(self, pid: int) -> None:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            self.cpu_ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
            self.ppid.setdefault(pid, int(fields[1]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass

    def sample(self) -> None:
        pids = self._tree()
        both = [self._rss_kb(p) for p in pids]
        for p, (_, h) in zip(pids, both, strict=True):
            if h:
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), h)
            if p not in self.cmd:
                self.cmd[p] = self._cmdline(p)
        rss = [r for r, _ in both]
        self.peak_sum_kb = max(self.peak_sum_kb, sum(rss))
        self.peak_max_kb = max(self.peak_max_kb, max((h for _, h in both), default=0))
        self.peak_procs = max(self.peak_procs, sum(1 for r in rss if r))
        self.seen.update(pids)
        if self.samples % PSS_EVERY == 0:
            self.peak_pss_kb = max(self.peak_pss_kb, sum(self._pss_kb(p) for p in pids))
        for p in pids:
            self._cpu(p)
        self.samples += 1

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(POLL_SECONDS)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")


def warm_cache(path: Path) -> None:
    with open(path, "rb") as fh:
        while fh.read(16 * 1024 * 1024):
            pass


def measure(method: str, path: Path, workers: int | None, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one method in a fresh subprocess; wall time, RSS of the tree, the child's own result."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    warm_cache(path)
    result_file = OUT_DIR / f".child_{method}_{os.getpid()}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", method, str(path), str(result_file)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    t0 = time.perf_counter()
    # Run from the snapshot's directory: the forkserver imports its preload with the current directory first
    # on its path, so from REPO its workers would count with the work tree's code, not the snapshot's.
    cwd = Path(env["PYTHONPATH"].split(os.pathsep)[0]) if env and "PYTHONPATH" in env else REPO
    proc = subprocess.Popen(cmd, cwd=cwd, env=env)
    mon = TreeMonitor(proc.pid)
    mon.start()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    process_wall = time.perf_counter() - t0
    mon.stop_event.set()
    mon.join()
    if proc.returncode != 0:
        raise SystemExit(f"{method} on {path.name} failed with exit code {proc.returncode}")
    res: dict[str, Any] = json.loads(result_file.read_text())
    result_file.unlink()
    res.update(
        process_wall_s=process_wall,
        tree_rss_peak_mb=mon.peak_sum_kb / 1024,
        tree_pss_peak_mb=mon.peak_pss_kb / 1024,
        max_process_rss_mb=max(mon.peak_max_kb / 1024, res["self_peak_rss_mb"]),
        wait4_ru_maxrss_mb=ru.ru_maxrss / 1024,
        processes=len(mon.seen),
        tree_cpu_s=mon.cpu_s,
        rss_samples=mon.samples,
        process_detail=mon.processes(),
    )
    return res


# ====================================================================================== driver


METHODS = {  # key: (label, method, file kind, workers)
    "a": ("cookbook loop", "cookbook", "rep", None),
    "b": ("fineadvisor (default workers)", "fineadvisor", "rep", None),
    "c": ("cookbook loop", "cookbook", "norep", None),
    "d": ("fineadvisor (default workers)", "fineadvisor", "norep", None),
    "e": ("fineadvisor workers=1", "fineadvisor", "rep", 1),
    "f": ("fineadvisor workers=1", "fineadvisor", "norep", 1),
    "g": ("fineadvisor at --baseline-rev", "fineadvisor", "rep", None),
    "h": ("fineadvisor at --baseline-rev", "fineadvisor", "norep", None),
    "x": ("fineadvisor, same records as a Langfuse export", "fineadvisor", "rep", None),
}
EXPORT_KEYS = frozenset("x")
"""Methods that read the repetitive records rewritten as Langfuse observations (an export format, see to_langfuse)."""
BASELINE_KEYS = frozenset("gh")
"""Methods that run the package as it was at --baseline-rev, interleaved with the others in the same run."""


def _git_rev() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "fineadvisor"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _code_digest(root: Path = REPO) -> str:
    """Hash of fineadvisor's sources, to notice the package changing while a run is in progress."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((root / "fineadvisor").rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def snapshot_package() -> tuple[Path, dict[str, str]]:
    """Copy fineadvisor/ (byte-compiled) to a temporary directory and put it first on PYTHONPATH for the measured
    subprocesses (and their workers), so that edits made in the work tree during a run do not mix code versions."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="fineadvisor-bench-"))
    shutil.copytree(REPO / "fineadvisor", root / "fineadvisor", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled, as an installed package is: otherwise with PYTHONDONTWRITEBYTECODE set (as on this machine)
    # every measured process and worker would compile fineadvisor's sources again.
    compileall.compile_dir(root / "fineadvisor", quiet=1)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
    return root, env


def snapshot_rev(rev: str) -> tuple[Path, dict[str, str]]:
    """fineadvisor/ (and pricing/) as committed at `rev`, byte-compiled in a temporary directory, first on
    PYTHONPATH: the baseline of methods g and h."""
    import tarfile
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="fineadvisor-baseline-"))
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "fineadvisor", "pricing"], cwd=REPO,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(root, filter="data")
    compileall.compile_dir(root / "fineadvisor", quiet=1)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH", "")]))
    return root, env


def prepare(specs: list[DataSpec], regenerate: bool) -> tuple[dict[str, dict[str, Any]], list[Path]]:
    info: dict[str, dict[str, Any]] = {}
    created: list[Path] = []
    pools: Pools | None = None
    for spec in specs:
        if not regenerate and reusable(spec):
            meta = json.loads(spec.sidecar.read_text())
            info[spec.kind] = {"path": str(spec.path), "reused": True, **meta["stats"]}
            print(f"reusing {spec.path.relative_to(REPO)} ({meta['bytes'] / 1e6:,.0f} MB)", flush=True)
            continue
        if pools is None:
            t0 = time.perf_counter()
            pools = build_pools(SEED)
            print(f"built text pools in {time.perf_counter() - t0:.1f} s: {pools.describe()}", flush=True)
        print(f"generating {spec.path.relative_to(REPO)} ({spec.records:,} records) ...", flush=True)
        stats = generate(spec, pools)
        created += [spec.path, spec.sidecar]
        info[spec.kind] = {"path": str(spec.path), "reused": False, **stats}
        print(f"  {stats['bytes'] / 1e6:,.0f} MB in {stats['seconds']:.1f} s", flush=True)
    for spec in specs:
        info[spec.kind].update(sample_tokens(spec.path))
    return info, created


def to_langfuse(path: Path) -> Path:
    """The records of a fine-tuning log rewritten as Langfuse observations (GENERATION, input = the prompt
    messages, output = the final assistant message; no usage, so every token is counted), one per line."""
    out = path.with_suffix(".langfuse.jsonl")
    with open(path, "rb") as src, open(out, "wb") as dst:
        for i, line in enumerate(src):
            if not line.strip():
                continue
            messages = json.loads(line)["messages"]
            dst.write(json.dumps({
                "id": f"obs-{i}", "traceId": f"trace-{i}", "type": "GENERATION", "name": "chat",
                "startTime": "2026-11-01T00:00:00.000Z", "endTime": "2026-11-01T00:00:01.000Z", "model": MODEL,
                "modelParameters": {"temperature": 0}, "input": messages[:-1], "output": messages[-1],
            }, ensure_ascii=False).encode() + b"\n")
    return out


def fmt_table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'':3} {'method':32} {'file':6} {'records':>9} {'wall s':>8} {'records/s':>10} "
            f"{'tree RSS MB':>11} {'tree PSS MB':>11} {'max proc MB':>11} {'procs':>5} {'CPU s':>7} {'tokens':>14}")
    lines = [head, "-" * len(head)]
    for r in rows:
        label = f"{r['label']} #{r['round']}" if r.get("round", 1) > 1 or len(rows) > 4 else r["label"]
        lines.append(f"({r['key']}) {label:32} {r['file']:6} {r['records']:>9,} {r['wall_s']:>8.1f} "
                     f"{r['records'] / r['wall_s']:>10,.0f} {r['tree_rss_peak_mb']:>11,.0f} "
                     f"{r['tree_pss_peak_mb']:>11,.0f} {r['max_process_rss_mb']:>11,.0f} {r['processes']:>5} "
                     f"{r['tree_cpu_s']:>7.1f} {r['total_tokens']:>14,}")
    return "\n".join(lines)


def run_cprofile(n: int, records: int, keep: bool) -> None:
    """cProfile of analyze_logs(workers=1) on the first n records of the repetitive file."""
    import cProfile
    import pstats

    spec = DataSpec("rep", records, SEED)
    if not reusable(spec):
        prepare([spec], regenerate=False)
    subset = DATA_DIR / f"profile_rep_{records}_first{n}.jsonl"
    with open(spec.path, "rb") as src, open(subset, "wb") as dst:
        for i, line in enumerate(src):
            if i >= n:
                break
            dst.write(line)
    from fineadvisor.measure.analysis import analyze_logs

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    analyze_logs([str(subset)], model=MODEL, workers=1)
    prof.disable()
    print(f"analyze_logs(workers=1) on {n:,} records: {time.perf_counter() - t0:.2f} s under cProfile")
    stats_file = OUT_DIR / f"cprofile_rep_first{n}.pstats"
    prof.dump_stats(stats_file)
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(25)
        print(buf.getvalue())
    print(f"stats saved to {stats_file.relative_to(REPO)}")
    if not keep:
        subset.unlink()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000, help="records in the repetitive file (100,000)")
    ap.add_argument("--norep-records", type=int, default=None,
                    help="records in the no-repetition file (default: records / 5, i.e. 20,000)")
    ap.add_argument("--keep", action="store_true",
                    help="keep data files generated by this run (default: delete them; ~1.5 GB at full size); "
                         "kept files are reused by later runs with the same parameters")
    ap.add_argument("--regenerate", action="store_true", help="regenerate data files even if reusable")
    ap.add_argument("--methods", default="a,b,c,d",
                    help="which to run: a=cookbook/rep b=fineadvisor/rep c=cookbook/norep d=fineadvisor/norep "
                         "e=fineadvisor workers=1/rep f=fineadvisor workers=1/norep (default a,b,c,d)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run the methods this many times, interleaved (a b c d a b c d ...); each round gives "
                         "its own ratios and the targets are judged on their median (default 1)")
    ap.add_argument("--generate-only", action="store_true", help="only generate the data files")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="measure fineadvisor from the work tree (default: from a copy taken at the start)")
    ap.add_argument("--baseline-rev", metavar="REV", default=None,
                    help="for methods g and h (fineadvisor as committed at REV, e.g. before a refactoring), run in "
                         "the same rounds; the ratios b/g and d/h are printed")
    ap.add_argument("--cprofile", type=int, metavar="N", default=0,
                    help="instead: cProfile analyze_logs(workers=1) on the first N records of the repetitive file")
    ap.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_child", nargs=3, metavar=("METHOD", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._child:
        method, path, out = args._child
        child_main(method, path, out, workers=args.workers)
        return 0
    if args.cprofile:
        run_cprofile(args.cprofile, args.records, args.keep)
        return 0

    norep = args.norep_records or max(args.records // 5, 100)
    specs = {"rep": DataSpec("rep", args.records, SEED), "norep": DataSpec("norep", norep, SEED)}
    keys = [k.strip() for k in args.methods.split(",") if k.strip()]
    bad = [k for k in keys if k not in METHODS]
    if bad:
        ap.error(f"unknown method(s) {bad}; choose from {', '.join(METHODS)}")
    if BASELINE_KEYS & set(keys) and not args.baseline_rev:
        ap.error("methods g and h need --baseline-rev REV")
    kinds = sorted({METHODS[k][2] for k in keys}, reverse=True) if not args.generate_only else ["rep", "norep"]

    t0 = time.perf_counter()
    data, created = prepare([specs[k] for k in kinds], args.regenerate)
    for kind, d in data.items():
        print(f"{kind:6} {d['bytes'] / 1e6:,.0f} MB; sample of 300 records: {d['mean_tokens_per_record']:,.0f} "
              f"tokens/record, system + few-shot {d['mean_prefix_share_of_input']:.1%} of input tokens",
              flush=True)
    if args.generate_only:
        return 0

    export_path: Path | None = None
    if EXPORT_KEYS & set(keys):
        export_path = to_langfuse(specs["rep"].path)
        created.append(export_path)
        print(f"wrote {export_path.relative_to(REPO)} ({export_path.stat().st_size / 1e6:,.0f} MB)", flush=True)
    rows: list[dict[str, Any]] = []
    rev = _git_rev()
    snap: Path | None = None
    env: dict[str, str] | None = None
    base_snap: Path | None = None
    base_env: dict[str, str] | None = None
    try:
        if args.baseline_rev:
            base_snap, base_env = snapshot_rev(args.baseline_rev)
            print(f"baseline: fineadvisor at {args.baseline_rev} copied to {base_snap}", flush=True)
        if not args.no_snapshot:
            snap, env = snapshot_package()
        code = _code_digest(snap or REPO)
        if snap:
            print(f"measuring a snapshot of fineadvisor ({rev}, sources {code}) copied to {snap}", flush=True)
        for rnd in range(1, max(1, args.rounds) + 1):
            for k in keys:
                label, method, kind, workers = METHODS[k]
                print(f"running ({k}) {label} on {kind}{f' (round {rnd})' if args.rounds > 1 else ''} ...",
                      flush=True)
                path = export_path if k in EXPORT_KEYS and export_path else specs[kind].path
                res = measure(method, path, workers, base_env if k in BASELINE_KEYS else env)
                res.update(key=k, label=label, method=method, file=kind, workers=workers, round=rnd)
                rows.append(res)
                print(f"  {res['wall_s']:.1f} s, tree RSS peak {res['tree_rss_peak_mb']:,.0f} MB, "
                      f"{res['total_tokens']:,} tokens", flush=True)
    finally:
        if not args.keep:
            for p in created:
                p.unlink(missing_ok=True)
        import shutil

        for tree in (snap, base_snap):
            if tree:
                shutil.rmtree(tree, ignore_errors=True)

    changed = snap is None and _code_digest() != code
    fa_rows = [r for r in rows if r["method"] == "fineadvisor" and r["key"] not in BASELINE_KEYS]
    if snap and any(r.get("fineadvisor_from") != str(snap / "fineadvisor") for r in fa_rows):
        raise SystemExit("the measured subprocesses did not import the snapshot of fineadvisor")
    if base_snap and any(r.get("fineadvisor_from") != str(base_snap / "fineadvisor") for r in rows
                         if r["key"] in BASELINE_KEYS):
        raise SystemExit("the baseline subprocesses did not import fineadvisor at --baseline-rev")
    rounds = sorted({r["round"] for r in rows})
    by_round = {n: {r["key"]: r for r in rows if r["round"] == n} for n in rounds}
    by = by_round[rounds[-1]]
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float, target: str, ok: bool) -> None:
        checks.append({"check": name, "value": value, "target": target, "pass": ok})

    ratios: dict[str, float] = {}  # the median over rounds of each round's own ratio
    round_ratios: dict[str, list[float]] = {}
    for base, fa, name in (("a", "b", "rep"), ("c", "d", "norep"), ("a", "e", "rep_workers1"),
                           ("c", "f", "norep_workers1"), ("a", "g", "rep_baseline_rev"), ("c", "h", "norep_baseline_rev"),
                           ("g", "b", "rep_vs_baseline_rev"), ("h", "d", "norep_vs_baseline_rev"),
                           ("a", "x", "rep_langfuse_export"), ("x", "b", "langfuse_vs_jsonl")):
        if base in by and fa in by:
            round_ratios[name] = [b[base]["wall_s"] / b[fa]["wall_s"] for b in by_round.values()]
            ratios[name] = statistics.median(round_ratios[name])
    if "rep" in ratios:
        check("speedup on repetitive file (a/b)", ratios["rep"], f">= {TARGET_SPEEDUP:g}x",
              ratios["rep"] >= TARGET_SPEEDUP)
    if "norep" in ratios:
        check("speedup on no-repetition file (c/d)", ratios["norep"], f">= {TARGET_NOREP_SPEEDUP:g}x (no slower)",
              ratios["norep"] >= TARGET_NOREP_SPEEDUP)
    for k in ("b", "d", "e", "f", "x"):
        if k in by:
            peak = max(b[k]["tree_rss_peak_mb"] for b in by_round.values())
            check(f"peak tree RSS of ({k})", peak, f"< {TARGET_RSS_MB:g} MB", peak < TARGET_RSS_MB)
    tokens_match: dict[str, bool] = {}
    for base, fa in (("a", "b"), ("c", "d"), ("a", "e"), ("c", "f"), ("a", "g"), ("c", "h")):
        if base in by and fa in by:
            tokens_match[f"{base}={fa}"] = all(b[base]["total_tokens"] == b[fa]["total_tokens"]
                                               and b[base]["records"] == b[fa]["records"] for b in by_round.values())

    print()
    print(fmt_table(rows))
    print()
    print("tokens = cookbook total over all messages (3/message + role + content [+1+name]) + 3/record; for "
          "fineadvisor: readiness.tokens_per_example.total")
    print("baseline encodes with enc.encode(value, disallowed_special=()) (special-token text counted as text, "
          "same as fineadvisor's encode_ordinary)")
    for name, ok in tokens_match.items():
        a, b = name.split("=")
        print(f"token totals ({a}) vs ({b}): {by[a]['total_tokens']:,} vs {by[b]['total_tokens']:,} -> "
              f"{'MATCH' if ok else 'MISMATCH'}")
    for r in by.values():
        if r["method"] == "fineadvisor":
            print(f"({r['key']}) static share {r['static_share']:.1%}, templates {r['templates']}, few-shot examples "
                  f"{r['few_shot_examples']}, input tokens {r['input_tokens_total']:,}")
    print()
    if len(rounds) > 1:
        for name, values in round_ratios.items():
            print(f"ratios per round, {name:14}: " + ", ".join(f"{v:.2f}x" for v in values)
                  + f"  (median {ratios[name]:.2f}x, min {min(values):.2f}x)")
        print()
    for ch in checks:
        v = f"{ch['value']:.2f}x" if "speedup" in ch["check"] else f"{ch['value']:,.0f} MB"
        what = f"{ch['check']}{' (median of rounds)' if len(rounds) > 1 and 'speedup' in ch['check'] else ''}"
        print(f"{'PASS' if ch['pass'] else 'FAIL'}  {what:58} {v:>10}   target {ch['target']}")
    for name, ratio in ratios.items():
        if name.endswith(("workers1", "baseline_rev", "export", "vs_jsonl")):
            print(f"info  speedup {name:34} {ratio:>9.2f}x")

    if changed:
        print(f"WARNING: fineadvisor's sources changed during the run (started at {rev}); the methods may have "
              "run different code: run again")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / "bench_profile.json"
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
                    "python": platform.python_version(), "platform": platform.platform(),
                    "tiktoken": importlib.import_module("tiktoken").__version__,
                    "fineadvisor_git": rev, "fineadvisor_source_digest": code, "snapshot": snap is not None,
                    "source_changed_during_run": changed},
        "settings": {"encoding": ENCODING, "model": MODEL, "poll_seconds": POLL_SECONDS,
                     "pss_every_polls": PSS_EVERY, "seed": SEED},
        "data": data,
        "results": rows,
        "speedups": ratios,
        "speedups_per_round": round_ratios,
        "tokens_match": tokens_match,
        "checks": checks,
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nresults written to {out.relative_to(REPO)} (total {report['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
