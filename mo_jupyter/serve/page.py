"""The test page at ``GET /``: one self-contained HTML page (inline CSS and JS, no external URL)
with a form generated from the spec. Every spec string is HTML-escaped; the script posts to the
relative URL ``api/run`` so the page also works behind a proxy prefix.

The access key. The page holds no data and no key: it reads the service's key from its own URL's
fragment (``...#key=<key>``; a fragment is never sent to a server, nor in a Referer) and sends it as
the header ``X-Mo-Key`` with its calls (the run, the spec and openapi.json links). When the app
answers 401 the page says so and offers a field for the key. It works in an iframe sandboxed with
``allow-scripts allow-forms`` only (an opaque origin: no cookies, no storage, its calls are
cross-origin and the proxy answers their CORS preflight), and opened directly on the app's port.

Language. Every string of the page is in English and Chinese (``STRINGS``, by language ``TEXTS``);
``page_language`` picks one from the ``lang`` query argument (the Test tab passes JupyterLab's
language) or, without it, from the browser's ``Accept-Language``. The script gets its strings as one
JSON object, never from the URL."""

from __future__ import annotations

import json
from html import escape

from ..handle.spec import parse_range

LANGUAGES = ("en", "zh_CN")

# every string of the page: (English, Chinese), in the order of LANGUAGES
STRINGS = {
    "html_lang": ("en", "zh-CN"),
    "app": ("Mo app", "Mo 应用"),
    "no_inputs": ("This app takes no inputs.", "这个应用没有输入。"),
    "required": ("required", "必填"),
    "default": ("(default)", "（默认）"),
    "preview": ("preview", "预览"),
    "use_drawing": ("Use drawing", "使用手绘"),
    "clear": ("Clear", "清除"),
    "draw_hint": (
        'Draw white on black; "Use drawing" sends it as a 28x28 grayscale PNG.',
        '在黑底上用白色书写；“使用手绘”把它作为 28x28 的灰度 PNG 发送。',
    ),
    "hint_datetime": ("e.g. 2024-01-31T12:00:00", "例如 2024-01-31T12:00:00"),
    "hint_[int]": ("comma-separated integers", "用逗号分隔的整数"),
    "hint_[float]": ("comma-separated numbers", "用逗号分隔的数字"),
    "hint_[str]": ("comma-separated values", "用逗号分隔的值"),
    "access_key": ("Access key", "访问密钥"),
    "run": ("Run", "运行"),
    "api": (
        "API: POST api/run (header X-Mo-Key when the service has an access key)",
        "API：POST api/run（服务设有访问密钥时带上请求头 X-Mo-Key）",
    ),
    "spec": ("spec", "规格"),
    # used by the script
    "need_key": (
        "This service needs its access key: paste it above, or open the page as ...#key=<key>.",
        "这个服务需要访问密钥：请粘贴到上方，或以 ...#key=<密钥> 打开本页。",
    ),
    "failed": ("request failed: ", "请求失败："),
    "running": ("running...", "运行中..."),
    "took": ("%1 in %2 ms", "%1，用时 %2 ms"),
    "error": ("error", "错误"),
}
TEXTS = {lang: {key: pair[i] for key, pair in STRINGS.items()} for i, lang in enumerate(LANGUAGES)}
SCRIPT_TEXTS = ("need_key", "failed", "running", "took", "error")


def _normal(tag: str) -> str | None:
    """``zh``, ``zh-CN``, ``zh_Hans`` -> ``zh_CN``; ``en-US`` -> ``en``; anything else -> None."""
    tag = tag.strip().lower().replace("-", "_")
    if tag == "zh" or tag.startswith("zh_"):
        return "zh_CN"
    if tag == "en" or tag.startswith("en_"):
        return "en"
    return None


def page_language(lang: str | None = None, accept_language: str | None = None) -> str:
    """The page's language: the ``lang`` argument when it names one of LANGUAGES, else the first
    supported language of ``Accept-Language`` by its q-values, else English."""
    if lang and (chosen := _normal(lang[:40])):
        return chosen
    ranked = []
    for i, part in enumerate((accept_language or "")[:1000].split(",")[:50]):
        tag, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if (chosen := _normal(tag)) and q > 0:
            ranked.append((-q, i, chosen))
    return min(ranked)[2] if ranked else "en"

ACCEPT = {"img": "image/*", "audio": "audio/*", "video": "video/*", "file": ""}

CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1d1d1f;--mute:#6b6b70;--line:#d0d0d6;--acc:#2563eb;--err:#c62828;--box:#f6f6f8}
@media (prefers-color-scheme:dark){:root{--bg:#18181b;--fg:#ececef;--mute:#a1a1aa;--line:#3f3f46;--acc:#60a5fa;--err:#f87171;--box:#232328}}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,sans-serif}
main{max-width:760px;margin:0 auto;padding:24px 16px}h1{font-size:22px;margin:0 0 4px}p.d{color:var(--mute);margin:0 0 16px}
.f{margin:0 0 14px}.f>label{display:block;font-weight:600}.f small{display:block;color:var(--mute)}
input[type=text],input[type=number],input[type=password],select{width:100%;box-sizing:border-box;padding:6px 8px;border:1px solid var(--line);border-radius:6px;background:var(--box);color:var(--fg)}
.err{color:var(--err);font-size:13px;min-height:0}button{padding:6px 14px;border-radius:6px;border:1px solid var(--line);background:var(--box);color:var(--fg);cursor:pointer}
button.run{background:var(--acc);color:#fff;border-color:var(--acc)}canvas.pad{border:1px solid var(--line);border-radius:6px;touch-action:none;background:#000;display:block;margin:6px 0}
img.pv{max-width:200px;max-height:200px;display:block;margin-top:6px;image-rendering:pixelated;border:1px solid var(--line)}
#out{margin-top:18px}.o{border:1px solid var(--line);border-radius:6px;padding:8px;margin:0 0 10px;background:var(--box)}
.o img{max-width:100%;min-width:112px;image-rendering:pixelated}pre{margin:4px 0 0;white-space:pre-wrap;word-break:break-word}#st{color:var(--mute);margin-left:10px}
"""

JS = r"""
const form=document.getElementById('form'),media={},out=document.getElementById('out'),st=document.getElementById('st');
const $=id=>document.getElementById(id);
function setMedia(k,url){media[k]=url;const pv=$('p-'+k);if(pv){pv.src=url;pv.hidden=false;}}
for(const el of form.querySelectorAll('input[type=file]')){el.addEventListener('change',()=>{const f=el.files[0];if(!f){delete media[el.name];return;}
 const r=new FileReader();r.onload=()=>{media[el.name]=r.result;if(el.dataset.type==='img')setMedia(el.name,r.result);};r.readAsDataURL(f);});}
function crc32(b){let c=-1;for(let i=0;i<b.length;i++){c^=b[i];for(let k=0;k<8;k++)c=c&1?(c>>>1)^0xEDB88320:c>>>1;}return(c^-1)>>>0;}
function u32(n){return[(n>>>24)&255,(n>>>16)&255,(n>>>8)&255,n&255];}
function chunk(t,d){const td=[...t].map(c=>c.charCodeAt(0)).concat(Array.from(d));return u32(d.length).concat(td,u32(crc32(td)));}
function grayPng(g,w,h){const raw=[];for(let y=0;y<h;y++){raw.push(0);for(let x=0;x<w;x++)raw.push(g[y*w+x]);}
 let a=1,b=0;for(const v of raw){a=(a+v)%65521;b=(b+a)%65521;}
 const z=[0x78,1];for(let i=0;i<raw.length;i+=65535){const n=Math.min(65535,raw.length-i);z.push(i+n>=raw.length?1:0,n&255,n>>8,~n&255,(~n>>8)&255);for(let j=0;j<n;j++)z.push(raw[i+j]);}
 z.push(...u32(((b<<16)|a)>>>0));
 const png=[137,80,78,71,13,10,26,10].concat(chunk('IHDR',u32(w).concat(u32(h),[8,0,0,0,0])),chunk('IDAT',z),chunk('IEND',[]));
 let s='';for(const v of png)s+=String.fromCharCode(v);return'data:image/png;base64,'+btoa(s);}
for(const pad of document.querySelectorAll('canvas.pad')){const k=pad.dataset.key,ctx=pad.getContext('2d');let down=false;
 const clear=()=>{ctx.fillStyle='#000';ctx.fillRect(0,0,pad.width,pad.height);};clear();
 ctx.strokeStyle='#fff';ctx.lineWidth=20;ctx.lineCap='round';ctx.lineJoin='round';
 const pos=e=>{const r=pad.getBoundingClientRect();return[(e.clientX-r.left)*pad.width/r.width,(e.clientY-r.top)*pad.height/r.height];};
 pad.addEventListener('pointerdown',e=>{down=true;pad.setPointerCapture(e.pointerId);ctx.beginPath();ctx.moveTo(...pos(e));ctx.lineTo(...pos(e));ctx.stroke();});
 pad.addEventListener('pointermove',e=>{if(down){ctx.lineTo(...pos(e));ctx.stroke();}});
 pad.addEventListener('pointerup',()=>{down=false;});
 $('c-'+k).onclick=()=>{clear();delete media[k];$('p-'+k).hidden=true;};
 $('u-'+k).onclick=()=>{const s=document.createElement('canvas');s.width=s.height=28;const c=s.getContext('2d');c.drawImage(pad,0,0,28,28);
  const d=c.getImageData(0,0,28,28).data,g=new Uint8Array(784);for(let i=0;i<784;i++)g[i]=Math.round(.299*d[4*i]+.587*d[4*i+1]+.114*d[4*i+2]);
  setMedia(k,grayPng(g,28,28));};}
function num(t,v){const n=Number(v);return v!==''&&!isNaN(n)?n:v;}
function collect(){const input={};for(const el of form.querySelectorAll('[data-type]')){const k=el.name,t=el.dataset.type;
 if(el.type==='file'){if(media[k])input[k]=media[k];continue;}
 if(el.type==='checkbox'){input[k]=el.checked;continue;}
 if(el.tagName==='SELECT'){const v=[...el.selectedOptions].map(o=>JSON.parse(o.value));if(el.multiple)input[k]=v;else if(v.length&&el.value!=='')input[k]=v[0];continue;}
 const v=el.value.trim();if(v==='')continue;
 if(t.startsWith('[')){const items=v.split(',').map(s=>s.trim()).filter(s=>s!=='');input[k]=t==='[str]'?items:items.map(s=>num(t,s));}
 else input[k]=(t==='int'||t==='float')?num(t,v):v;}return input;}
function show(k,v){const d=document.createElement('div');d.className='o';const l=document.createElement('b');l.textContent=k;d.append(l);
 if(typeof v==='string'&&/^data:image\//.test(v)){const i=document.createElement('img');i.src=v;i.alt=k;d.append(document.createElement('br'),i);}
 else if(typeof v==='string'&&/^data:(audio|video)\//.test(v)){const m=document.createElement(v.startsWith('data:audio')?'audio':'video');m.controls=true;m.src=v;d.append(document.createElement('br'),m);}
 else{const p=document.createElement('pre');p.textContent=typeof v==='string'?v:JSON.stringify(v,null,2);d.append(p);}out.append(d);}
function key(){const k=$('key');if(k&&k.value.trim())return k.value.trim();
 const m=/(?:^#|[#&])key=([^&]*)/.exec(location.hash||'');if(!m)return '';try{return decodeURIComponent(m[1]);}catch(e){return m[1];}}
function headers(json){const h=json?{'Content-Type':'application/json'}:{},k=key();if(k)h['X-Mo-Key']=k;
 try{const x=document.cookie.match(/(?:^|; )_xsrf=([^;]*)/);if(x)h['X-XSRFToken']=decodeURIComponent(x[1]);}catch(e){}/* sandboxed: no cookies */
 return h;}
function needKey(){$('kb').hidden=false;show(T.error,T.need_key);}
for(const a of document.querySelectorAll('a[data-api]')){a.addEventListener('click',async e=>{e.preventDefault();out.textContent='';
 try{const r=await fetch(a.dataset.api,{headers:headers()});if(r.status===401){needKey();return;}show(a.dataset.api,await r.json());}
 catch(err){st.textContent=T.failed+err;}});}
form.addEventListener('submit',async e=>{e.preventDefault();out.textContent='';for(const el of form.querySelectorAll('.err'))el.textContent='';
 st.textContent=T.running;const t0=performance.now();let r,body;
 try{r=await fetch('api/run',{method:'POST',headers:headers(true),body:JSON.stringify({app:{input:collect()}})});body=await r.json();}
 catch(err){st.textContent=T.failed+err;return;}
 st.textContent=T.took.replace('%1',r.status).replace('%2',Math.round(performance.now()-t0));
 if(r.ok){for(const[k,v]of Object.entries(body.output||{}))show(k,v);return;}
 if(r.status===401){needKey();return;}
 if(body.errors){for(const er of body.errors){const m=/^input\.([A-Za-z_][A-Za-z0-9_]*)/.exec(er.field||''),box=m&&$('e-'+m[1]);
  if(box)box.textContent+=er.field+' '+er.message+' ';else show(T.error,(er.field||'')+' '+er.message);}}
 else show(T.error,body.error||body);});
"""


def _field(key: str, p: dict, tx: dict) -> str:
    t = p["value_type"]
    label = escape(p.get("name") or key)
    required = not p.get("optional") and "default_value" not in p
    attrs = f'id="f-{key}" name="{key}" data-type="{escape(t)}"'
    default = p.get("default_value")
    rng = p.get("value_range")
    bounds = parse_range(rng, t, key) if rng is not None else {}
    if "enum" in bounds:
        many = t.startswith("[")
        chosen = default if isinstance(default, list) else [default]
        opts = "" if many or required else f'<option value="">{escape(tx["default"])}</option>'
        for c in bounds["enum"]:
            sel = " selected" if c in chosen and default is not None else ""
            opts += f'<option value="{escape(json.dumps(c))}"{sel}>{escape(str(c))}</option>'
        widget = f'<select {attrs}{" multiple" if many else ""}>{opts}</select>'
    elif t in ("int", "float"):
        extra = ''.join(f' {a}="{bounds[b]:g}"' for a, b in (("min", "minimum"), ("max", "maximum")) if b in bounds)
        value = f' value="{escape(str(default))}"' if default is not None else ""
        step = "1" if t == "int" else "any"
        widget = f'<input type="number" step="{step}" {attrs}{extra}{value}>'
    elif t == "bool":
        widget = f'<input type="checkbox" {attrs}{" checked" if default else ""}>'
    elif t in ACCEPT:
        accept = f' accept="{ACCEPT[t]}"' if ACCEPT[t] else ""
        widget = f'<input type="file" {attrs}{accept}>'
        if t == "img":
            widget += (f'<img class="pv" id="p-{key}" alt="{escape(tx["preview"])}" hidden>'
                       f'<canvas class="pad" width="280" height="280" data-key="{key}"></canvas>'
                       f'<button type="button" id="u-{key}">{escape(tx["use_drawing"])}</button> '
                       f'<button type="button" id="c-{key}">{escape(tx["clear"])}</button> '
                       f'<small>{escape(tx["draw_hint"])}</small>')
    else:
        hint = escape(tx.get(f"hint_{t}", ""))
        if isinstance(default, list):
            default = ", ".join(str(v) for v in default)
        value = f' value="{escape(str(default))}"' if default is not None else ""
        widget = f'<input type="text" {attrs}{value} placeholder="{hint}">'
    desc = f"<small>{escape(p['description'])}</small>" if p.get("description") else ""
    note = f"{escape(t)}{', ' + escape(tx['required']) if required else ''}"
    return (f'<div class="f"><label for="f-{key}">{label} <small style="display:inline">({note})</small></label>'
            f'{desc}{widget}<div class="err" id="e-{key}"></div></div>')


def _script_texts(tx: dict) -> str:
    """The script's strings as a JS object literal that cannot end the <script> element."""
    text = json.dumps({k: tx[k] for k in SCRIPT_TEXTS}, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def test_page(spec: dict, lang: str = "en") -> str:
    tx = TEXTS[lang if lang in TEXTS else "en"]
    title = escape(spec.get("name") or tx["app"])
    desc = f'<p class="d">{escape(spec["description"])}</p>' if spec.get("description") else '<p class="d"></p>'
    fields = "".join(_field(k, p, tx) for k, p in spec["input"].items()) or f"<p>{escape(tx['no_inputs'])}</p>"
    return (f'<!doctype html><html lang="{tx["html_lang"]}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>'
            f"<style>{CSS}</style></head><body><main><h1>{title}</h1>{desc}"
            f'<form id="form" novalidate>{fields}'
            f'<div class="f" id="kb" hidden><label for="key">{escape(tx["access_key"])}</label>'
            f'<input type="password" id="key" autocomplete="off"></div>'
            f'<button class="run" type="submit">{escape(tx["run"])}</button><span id="st"></span>'
            f'</form><div id="out"></div><p class="d"><small>{escape(tx["api"])} &middot; '
            f'<a href="openapi.json" data-api="openapi.json">openapi.json</a>'
            f' &middot; <a href="api/spec" data-api="api/spec">{escape(tx["spec"])}</a></small></p>'
            f"</main><script>const T={_script_texts(tx)};{JS}</script></body></html>")
