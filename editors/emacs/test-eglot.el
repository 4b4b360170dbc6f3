;;; test-eglot.el --- portside in Emacs with eglot, headless (tests/emacs.rs runs it)
;; Debian's Emacs 28 + elpa-eglot 1.9, and later Emacs with built-in eglot.
;; Usage: PORTSIDE_BIN=... PORTSIDE_FILE=examples/broken/compose.yaml emacs --batch -Q -l test-eglot.el
;; Prints one JSON object per line; the exit status is the number of failed checks.
(require 'package)
;; -Q skips Debian's site-start, which is what registers the elpa-* packages.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'eglot)
(require 'json)
(require 'cl-lib)

(defvar t0 (float-time))
(defvar failures 0)
(defun emit (alist)
  (princ (concat (json-encode (cons (cons 't_ms (round (* 1000 (- (float-time) t0)))) alist)) "\n")))
(defun check (name ok &optional detail)
  (unless ok (cl-incf failures))
  (emit `((check . ,name) (ok . ,(if ok t :json-false)) (detail . ,detail))))
(defun wait-until (pred timeout)
  (let ((deadline (+ (float-time) timeout)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

;; eglot names the languageId after the major mode: `yaml-mode' -> "yaml"; the server
;; recognises Compose files by name.
(define-derived-mode yaml-mode prog-mode "YAML")

(condition-case err
    (let* ((file (expand-file-name (getenv "PORTSIDE_FILE")))
           (timeout 15)
           contact server)
      ;; The README's configuration, as a user pastes it into init.el (tests/emacs.rs copies
      ;; the ```elisp block); `portside' is found on PATH.
      (load (getenv "PORTSIDE_README_ELISP") nil t)
      (find-file file)
      (yaml-mode)
      ;; What M-x eglot does: guess the server from `eglot-server-programs', then start it.
      (setq contact (eglot--guess-contact))
      (check "readme_config_picks_portside" (equal (nth 3 contact) '("portside" "lsp"))
             (format "%S" (nth 3 contact)))
      (setq server (apply #'eglot contact))
      (check "connected" (and server (jsonrpc-running-p server)))
      (check "managed" (wait-until (lambda () (eglot-managed-p)) timeout))
      ;; 1) The diagnostic at `localhost' (line 10).
      (check "diagnostic_at_token"
             (wait-until
              (lambda ()
                (cl-some (lambda (d)
                           (and (= 10 (line-number-at-pos (flymake-diagnostic-beg d)))
                                (string-match-p "invalid IP address: localhost" (flymake-diagnostic-text d))
                                (string= "localhost" (buffer-substring (flymake-diagnostic-beg d)
                                                                       (flymake-diagnostic-end d)))))
                         (flymake-diagnostics)))
              timeout)
             (length (flymake-diagnostics)))
      ;; 2) Hover on the cache's port.
      (goto-char (point-min))
      (search-forward "\"6380:6379\"")
      (backward-char 4)
      (let* ((h (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
             (contents (plist-get h :contents))
             (text (if (stringp contents) contents (plist-get contents :value))))
        ;; eglot 1.9 asks for plain text: no Markdown emphasis.
        (check "hover" (and text (string-match-p "redis://127.0.0.1:6380" text)
                            (or (not (equal (plist-get contents :kind) "plaintext"))
                                (not (string-match-p "\\*\\*" text))))
               (and text (substring text 0 (min 120 (length text))))))
      ;; 3) The quick fix for `localhost'.
      (goto-char (point-min))
      (forward-line 9)
      (let* ((diags (cl-loop for d in (flymake-diagnostics (line-beginning-position) (line-end-position))
                             for lsp = (alist-get 'eglot-lsp-diag (flymake-diagnostic-data d))
                             when lsp collect lsp))
             (actions (jsonrpc-request server :textDocument/codeAction
                                       (list :textDocument (eglot--TextDocumentIdentifier)
                                             :range (list :start (list :line 9 :character 9)
                                                          :end (list :line 9 :character 18))
                                             :context (list :diagnostics (vconcat diags)
                                                            :only ["quickfix"]))))
             (titles (mapcar (lambda (a) (plist-get a :title)) actions)))
        (check "code_action" (member "Replace \"localhost\" with \"127.0.0.1\"" titles) titles))
      (set-buffer-modified-p nil)
      (eglot-shutdown server))
  (error (check "lisp_error" nil (format "%S" err))))
(emit `((done . t) (failures . ,failures)))
(kill-emacs (min failures 100))
